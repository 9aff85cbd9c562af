/* gemsoak compare: two runs side by side, typically before and after
 * applying a kernel fix: what was leaking, what still is, what is new. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"

static int compare_exec(struct cli *c)
{
	int r;
	int64_t a, b;
	sqlite3 *db = cli_open_run(c, c->argv[0], &a);
	if (!db || cli_run_id(db, c->argv[1], &b)) {
		sqlite3_close(db);
		return CMD_ERROR;
	}
	if (cli_human(c))
		printf("run %lld (A) against run %lld (B); floor slopes per 1000 cycles\n", (long long)a, (long long)b);
	cli_doc_begin(c);
	cli_doc_int(c, "run_a", a);
	cli_doc_int(c, "run_b", b);
	sqlite3_stmt *s = cli_prepare(db,
		"WITH m AS (SELECT metric FROM leak_trends WHERE run_id IN (?1, ?2) GROUP BY metric),"
		" x AS (SELECT m.metric, a.verdict AS va, a.slope_per_kcycle AS sa,"
		"        b.verdict AS vb, b.slope_per_kcycle AS sb FROM m"
		"        LEFT JOIN leak_trends a ON a.run_id = ?1 AND a.metric = m.metric"
		"        LEFT JOIN leak_trends b ON b.run_id = ?2 AND b.metric = m.metric)"
		" SELECT metric, COALESCE(va, CASE WHEN ?9 THEN '-' END) AS a_verdict, sa AS a_slope,"
		"  COALESCE(vb, CASE WHEN ?9 THEN '-' END) AS b_verdict,"
		"  sb AS b_slope,"
		"  CASE WHEN va = 'leaking' AND vb = 'leaking' THEN 'still leaking'"
		"       WHEN va = 'leaking' AND vb = 'stable' THEN 'fixed'"
		"       WHEN va = 'leaking' THEN 'unknown in B'"
		"       WHEN vb = 'leaking' THEN 'new leak' ELSE '' END AS change"
		" FROM x ORDER BY change = '' , metric");
	if (s) {
		sqlite3_bind_int64(s, 1, a);
		sqlite3_bind_int64(s, 2, b);
		/* ?9: a dash for nothing in the table; null in JSON, empty in CSV. */
		sqlite3_bind_int(s, 9, cli_human(c));
	}
	r = s ? cli_doc_rows(c, "metrics", s, true) : -1;
	sqlite3_finalize(s);
	int leaking = cli_count_leaking(db, b, "*");
	sqlite3_close(db);
	if (r < 0 || leaking < 0)
		return CMD_ERROR;
	cli_doc_int(c, "leaking_in_b", leaking);
	cli_doc_end(c);
	if (cli_human(c))
		printf("%d metric(s) leaking in run %lld\n", leaking, (long long)b);
	return leaking ? CMD_FOUND : CMD_OK;
}

const struct cmd_entry cmd_compare = {
	.name = "compare",
	.summary = "Compare the verdicts of two runs, e.g. before and after a kernel fix (exit 1 when B leaks)",
	.args = "RUN_A RUN_B",
	.min_args = 2,
	.max_args = 2,
	.flags = CMD_DATABASE | CMD_FORMATS,
	.exit_status = "0 nothing leaks in RUN_B, 1 something does, 2 error.",
	.exec = compare_exec,
};
