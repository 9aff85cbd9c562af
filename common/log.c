#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"

int log_verbose;
static const char *log_prog = "gemsoak";
static int log_journal;

void log_init(const char *progname)
{
	log_prog = progname;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_msg(int priority, const char *fmt, ...)
{
	if (priority == LOG_DEBUG && !log_verbose)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One write per line so lines of several processes do not interleave. */
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", priority, buf);
	else
		fprintf(stderr, "%s: %s\n", log_prog, buf);
}
