/* gemsoak trends: the leak verdicts of one run (leak_trends). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/findings.h"
#include "cli/format.h"

/* --history: every change of verdict of the run's metrics matching GLOB,
 * in time order, as the engine recorded it (verdict_history). A database
 * older than that table, or a run without rows (merged), prints one line
 * saying so. Exits as trends does: 1 when a kernel metric leaks now. */
static int history_exec(struct cli *c, sqlite3 *db, int64_t run, const char *glob)
{
	int has = cli_has_table(db, "verdict_history");
	sqlite3_stmt *s = has != 1 ? NULL : cli_prepare(db,
		"SELECT round(h.t - r.started, 1) AS since_start_s, datetime(h.t, 'unixepoch') AS time, h.cycles,"
		" m.name AS metric, h.old_verdict AS old, h.new_verdict AS new, h.confidence, h.robust_slope"
		" FROM verdict_history h JOIN metrics m ON m.id = h.metric_id JOIN runs r ON r.id = h.run_id"
		" WHERE h.run_id = ?1 AND m.name GLOB ?2 ORDER BY h.t, m.name");
	if (has == 1 && !s)
		has = -1;
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_text(s, 2, glob, -1, SQLITE_STATIC);
	}
	if (cli_human(c))
		printf("run %lld: changes of verdict (time since the run's start, UTC)\n", (long long)run);
	cli_doc_begin(c);
	cli_doc_int(c, "run", run);
	int rows = 0;
	if (s)
		rows = cli_doc_rows(c, "history", s, true);
	else if (c->format == CLI_JSON)
		fputs(",\"history\":[]", stdout);
	sqlite3_finalize(s);
	int leaking = has < 0 || rows < 0 ? -1 : cli_count_leaking(db, run, glob);
	sqlite3_close(db);
	if (leaking < 0)
		return CMD_ERROR;
	cli_doc_int(c, "leaking", leaking);
	cli_doc_end(c);
	if (cli_human(c) && rows == 0)
		printf("no verdict history%s%s in run %lld (%s)\n", strcmp(glob, "*") ? " for " : "",
		       strcmp(glob, "*") ? glob : "", (long long)run,
		       has ? "none recorded: a merged run, or no verdict stored yet"
			   : "the database predates verdict_history");
	return leaking ? CMD_FOUND : CMD_OK;
}

static int trends_exec(struct cli *c)
{
	const char *metric = cli_opt(c, "metric");
	int64_t run;
	sqlite3 *db = cli_open_run(c, cli_opt(c, "run"), &run);
	if (!db)
		return CMD_ERROR;
	if (cli_opt(c, "history"))
		return history_exec(c, db, run, metric ? metric : "*");
	sqlite3_stmt *s = cli_words_functions(db) ? NULL : cli_prepare(db,
		"SELECT metric, verdict, confidence, robust_slope, per, workload,"
		" slope_per_kcycle_workload AS per_kcycle_of_workload, holder, slope_per_kcycle AS floor_per_kcycle,"
		" CASE WHEN ?9 THEN words_rate(slope_per_hour, m.unit) ELSE slope_per_hour END AS floor_per_hour,"
		" r2, windows, window_s, span_s, first_value AS first, last_value AS last, attribution"
		" FROM leak_trends JOIN metrics m ON m.name = metric"
		" WHERE run_id = ?1 AND metric GLOB ?2 AND scope = 'kernel'"
		" ORDER BY verdict = 'leaking' DESC, metric");
	if (!s) {
		sqlite3_close(db);
		return CMD_ERROR;
	}
	const char *glob = metric ? metric : "*";
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, glob, -1, SQLITE_STATIC);
	/* ?9: the rate per hour in words for people, a number for scripts */
	sqlite3_bind_int(s, 9, cli_human(c));
	if (cli_human(c))
		printf("run %lld (floor slopes: per 1000 workload cycles and per hour; see db/TRENDS.md)\n",
		       (long long)run);
	cli_doc_begin(c);
	cli_doc_int(c, "run", run);
	int rows = cli_doc_rows(c, "metrics", s, true);
	sqlite3_finalize(s);
	int leaking = cli_count_leaking(db, run, glob);
	/* The daemon's own footprint: a leak there is a bug of gemsoak's,
	 * reported as one and never in the exit status. */
	int drows = 0, dbad = -1, dn = 0;
	s = cli_prepare(db, "SELECT COUNT(*), SUM(verdict IN ('leaking', 'over-bound')) FROM leak_trends"
			" WHERE run_id = ?1 AND metric GLOB ?2 AND scope = 'daemon'");
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_text(s, 2, glob, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			dn = sqlite3_column_int(s, 0);
			dbad = sqlite3_column_int(s, 1);
		}
		sqlite3_finalize(s);
	}
	/* JSON always has its daemon_metrics, if empty. */
	bool daemon_rows = dn > 0 || c->format == CLI_JSON;
	s = daemon_rows ? cli_prepare(db, "SELECT metric, verdict, confidence, robust_slope, per, max_value, bound,"
				 " windows, span_s FROM leak_trends"
				 " WHERE run_id = ?1 AND metric GLOB ?2 AND scope = 'daemon' ORDER BY metric") : NULL;
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_text(s, 2, glob, -1, SQLITE_STATIC);
		if (cli_human(c))
			printf("gemsoakd's own footprint (judged apart; not in the exit status):\n");
		drows = cli_doc_rows(c, "daemon_metrics", s, false);
		sqlite3_finalize(s);
	} else if (daemon_rows) {
		drows = -1;
	}
	sqlite3_close(db);
	if (rows < 0 || leaking < 0 || drows < 0 || dbad < 0)
		return CMD_ERROR;
	cli_doc_int(c, "leaking", leaking);
	cli_doc_int(c, "daemon_leaking_or_over_bound", dbad);
	cli_doc_end(c);
	if (!cli_human(c))
		return leaking ? CMD_FOUND : CMD_OK;
	if (rows + drows == 0)
		printf("no metric%s%s in run %lld\n", metric ? " matches " : "", metric ? metric : "",
		       (long long)run);
	else
		printf("%d metric(s) leaking\n", leaking);
	if (dbad > 0)
		printf("gemsoakd: %d of its own metric(s) leaking or over their bound: a bug in gemsoak, "
		       "please report it\n", dbad);
	return leaking ? CMD_FOUND : CMD_OK;
}

static const struct cmd_option trends_options[] = {
	{ .name = "run", .letter = 'r', .arg = "N", .help = "the run (default: the newest; see `gemsoak runs`)" },
	{ .name = "metric", .letter = 'm', .arg = "GLOB", .help = "only metrics matching GLOB (e.g. 'gem.*')" },
	{ .name = "history", .letter = 'H', .help = "every change of verdict instead, in time order" },
	{ NULL },
};

const struct cmd_entry cmd_trends = {
	.name = "trends",
	.summary = "Show what grows in a run, how fast and how sure (exit 1 when something leaks)",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = trends_options,
	.exit_status = "0 no kernel metric leaks, 1 one or more leak, 2 error.",
	.exec = trends_exec,
};
