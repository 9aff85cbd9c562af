/* The origins of the live objects for people and scripts: the query, the
 * readable stack, the reason none were traced, the report's section. */
#include <stdlib.h>
#include <string.h>

#include "analysis/finding-origin.h"
#include "cli/cli.h"
#include "cli/origins.h"
#include "cli/output.h"

/* SQL frames(stack): the stack a person reads, gs_stack_words in full,
 * "a ← b ← c" down to the system call. */
static void frames_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *stack = (const char *)sqlite3_value_text(argv[0]);
	if (!stack) {
		sqlite3_result_null(ctx);
		return;
	}
	size_t len = strlen(stack) * 3 + 1; /* a frame of k >= 1 bytes and its newline: at most k + 5 */
	char *out = malloc(len);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, gs_stack_words(out, len, stack, 0), -1, free);
}

int origins_recorded(sqlite3 *db)
{
	return cli_has_table(db, "object_origins");
}

sqlite3_stmt *origins_query(sqlite3 *db, int64_t run, const char *kind, const char *workload, bool raw)
{
	if (sqlite3_create_function(db, "frames", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, frames_fn, NULL,
				    NULL) != SQLITE_OK) {
		cli_error("%s", sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_stmt *s = cli_prepare(db,
		"SELECT kind, workload, comm, alive, alive_bytes, CASE WHEN ?4 THEN stack ELSE frames(stack) END AS stack"
		" FROM origins WHERE run_id = ?1 AND alive > 0 AND (?2 IS NULL OR kind = ?2)"
		" AND (?3 IS NULL OR workload = ?3) ORDER BY alive DESC, kind, workload, stack");
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, workload, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, raw);
	return s;
}

char *origins_unavailable(sqlite3 *db, int64_t run)
{
	sqlite3_stmt *s = cli_prepare(db, "SELECT message FROM events WHERE run_id = ?1 AND"
					  " kind = 'source-unavailable' AND message LIKE 'origins %' ORDER BY t DESC LIMIT 1");
	char *why = NULL;
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		if (sqlite3_step(s) == SQLITE_ROW)
			why = strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	return why;
}

int origins_html(FILE *f, sqlite3 *db, int64_t run)
{
	int recorded = origins_recorded(db);
	if (recorded <= 0)
		return recorded;
	fputs("<h2>Origins</h2>\n<p>The live GEM objects and dma-bufs at the last round, by the workload and"
	      " kernel stack that made them (traced with BPF; docs/ORIGINS.md).</p>\n", f);
	sqlite3_stmt *s = cli_prepare(db, "SELECT COUNT(*) FROM origins WHERE run_id = ?1 AND alive > 0");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	int rows = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	if (rows <= 0) {
		char *why = rows == 0 ? origins_unavailable(db, run) : NULL;
		fputs("<p>", f);
		cli_markup_text(f, why ? why : "No object alive from a traced origin in this run.");
		fputs("</p>\n", f);
		free(why);
		return rows == 0 ? 0 : -1;
	}
	s = origins_query(db, run, NULL, NULL, false);
	if (!s)
		return -1;
	int rc = cli_html_table(f, s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
