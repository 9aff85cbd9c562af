#include <stdio.h>

#include "common/about.h"

void about_span(double seconds, char *buf, size_t len)
{
	if (seconds >= 2 * 86400.0)
		snprintf(buf, len, "about %.0f days", seconds / 86400.0);
	else if (seconds >= 7200.0)
		snprintf(buf, len, "about %.0f h", seconds / 3600.0);
	else if (seconds >= 120.0)
		snprintf(buf, len, "about %.0f min", seconds / 60.0);
	else
		snprintf(buf, len, "about %.0f s", seconds);
}
