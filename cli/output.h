/* Writing a whole output file (report --out, export's gemsoak.prom)
 * without touching what is not ours: a regular file is written aside and
 * renamed over the target, so a reader never sees half of it; "-" is
 * stdout; a target that is not a regular file (a device, a FIFO,
 * /dev/stdout, >(cmd)) is written in place, never replaced; a symbolic
 * link is not replaced unless asked (--force). */
#ifndef GS_CLI_OUTPUT_H
#define GS_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct cli_out {
	FILE *f;
	const char *target;
	char tmp[4200];       /* the file renamed over target; empty: in place */
	bool is_stdout;
};

/* Open target for writing. force: replace a symbolic link at target.
 * 0, or -1 after a message "gemsoak CMD: TARGET: reason". */
int cli_out_open(struct cli_out *o, const char *target, bool force, const char *cmd);

/* Finish: flush and close, then rename the temp file over the target
 * (ok false: the content is incomplete, drop the temp file). 0, or -1
 * after a message naming the target. */
int cli_out_close(struct cli_out *o, bool ok, const char *cmd);

/* Write s with the five characters markup reserves escaped, and control
 * characters other than tab and newline (not allowed in XML 1.0) as
 * spaces: text and attribute values of HTML and XML alike. */
void cli_markup_text(FILE *f, const char *s);

/* The rows of s, stepped to its end, as an HTML table with the column
 * names for a header; a row whose second column is "leaking" is of class
 * "leak". SQLITE_DONE, or the failed step's code. */
struct sqlite3_stmt;
int cli_html_table(FILE *f, struct sqlite3_stmt *s);

#endif
