/* gemsoak runs: every run in the database, newest last. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"

static int runs_exec(struct cli *c)
{
	int r;
	sqlite3 *db = cli_open(c, false);
	if (!db)
		return CMD_ERROR;
	sqlite3_stmt *s = cli_prepare(db,
		"SELECT r.id AS run, r.hostname AS host, r.kernel_release AS kernel, r.driver,"
		" datetime(r.started, 'unixepoch') AS started,"
		" COALESCE(datetime(r.stopped, 'unixepoch'), CASE WHEN ?9 THEN '-' END) AS stopped,"
		" (SELECT COUNT(*) FROM ticks WHERE run_id = r.id) AS rounds,"
		" (SELECT MAX(cycles) FROM ticks WHERE run_id = r.id) AS cycles,"
		" (SELECT COALESCE(SUM(repeats), 0) FROM events WHERE run_id = r.id AND kind = 'gap') AS gaps,"
		" (SELECT COUNT(*) FROM leak_trends t WHERE t.run_id = r.id AND verdict = 'leaking' AND scope = 'kernel') AS leaking"
		" FROM runs r ORDER BY r.id");
	/* ?9: a dash for nothing in the table; null in JSON, empty in CSV. */
	if (s)
		sqlite3_bind_int(s, 9, cli_human(c));
	cli_doc_begin(c);
	r = s ? cli_doc_rows(c, "runs", s, true) : -1;
	cli_doc_end(c);
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (r == 0 && cli_human(c))
		printf("no run yet\n");
	return r < 0 ? CMD_ERROR : CMD_OK;
}

const struct cmd_entry cmd_runs = {
	.name = "runs",
	.summary = "List the runs: host, kernel, time, rounds, gaps, leaking metrics",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.exec = runs_exec,
};
