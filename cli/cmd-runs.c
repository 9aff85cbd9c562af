/* gemsoak runs: every run in the database, newest last. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"

static int runs_exec(struct cli *c)
{
	int r;
	sqlite3 *db = cli_open(c, false);
	if (!db)
		return CMD_ERROR;
	sqlite3_stmt *s = cli_prepare(db,
		"SELECT r.id AS run, r.hostname AS host, r.kernel_release AS kernel, r.driver,"
		" datetime(r.started, 'unixepoch') AS started,"
		" COALESCE(datetime(r.stopped, 'unixepoch'), '-') AS stopped,"
		" (SELECT COUNT(*) FROM ticks WHERE run_id = r.id) AS rounds,"
		" (SELECT MAX(cycles) FROM ticks WHERE run_id = r.id) AS cycles,"
		" (SELECT COUNT(*) FROM events WHERE run_id = r.id AND kind = 'gap') AS gaps,"
		" (SELECT COUNT(*) FROM leak_trends t WHERE t.run_id = r.id AND verdict = 'leaking' AND scope = 'kernel') AS leaking"
		" FROM runs r ORDER BY r.id");
	r = s ? cli_print_table(s) : -1;
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (r == 0)
		printf("no run yet\n");
	return r < 0 ? CMD_ERROR : CMD_OK;
}

const struct cmd_entry cmd_runs = {
	.name = "runs",
	.summary = "List the runs: host, kernel, time, rounds, gaps, leaking metrics",
	.flags = CMD_DATABASE,
	.exec = runs_exec,
};
