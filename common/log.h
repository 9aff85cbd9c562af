/* Logging: to stderr, with sd-daemon "<N>" priority prefixes when stderr is
 * the journal (JOURNAL_STREAM set), so journalctl shows proper priorities. */
#ifndef GS_LOG_H
#define GS_LOG_H

#include <syslog.h>

void log_init(const char *progname);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)    log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

extern int log_verbose; /* print LOG_DEBUG too */

#endif
