/* A span of seconds as a person says it roughly ("about 2 h"), for the
 * messages that tell how long something will take. */
#ifndef GS_COMMON_ABOUT_H
#define GS_COMMON_ABOUT_H

#include <stddef.h>

/* "about 40 s", "about 12 min", "about 3 h", "about 9 days" into buf. */
void about_span(double seconds, char *buf, size_t len);

#endif
