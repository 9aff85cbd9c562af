/* The origins of the live objects (db/views/origins.sql) as the CLI
 * shows them: `gemsoak origins` (cli/cmd-origins.c) and the report's
 * section. */
#ifndef GS_CLI_ORIGINS_H
#define GS_CLI_ORIGINS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>


/* Whether db records origins (schema 0016 or later): 1, 0, or -1 after a
 * message. */
int origins_recorded(sqlite3 *db);
/* The run's groups with objects alive at their latest row, most alive
 * first, of one kind and workload (NULL: any): columns kind, workload,
 * comm, alive, alive_bytes, stack. The stack is the stored text (frames
 * with offsets, one a line) when raw, else frames(stack) (below). NULL
 * after a message. */
sqlite3_stmt *origins_query(sqlite3 *db, int64_t run, const char *kind, const char *workload, bool raw);
/* Why the run traced nothing: its origins source-unavailable message
 * (malloc'd), or NULL when it said none. */
char *origins_unavailable(sqlite3 *db, int64_t run);
/* The report's section: a table of origins_query, or the reason. 0, or
 * -1 after a message. */
int origins_html(FILE *f, sqlite3 *db, int64_t run);

#endif
