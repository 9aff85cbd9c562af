/* gemsoak status: the newest run at a glance: where, since when, how fast
 * the workloads cycle, the latest value and verdict of every metric. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"

/* The leak guard's stops and the verdicts it kept: after a stop the
 * counters fall, and the run's trend alone may no longer say leaking. */
static int print_guard(sqlite3 *db, int64_t run)
{
	sqlite3_stmt *s = cli_prepare(db,
		"SELECT COUNT(*), group_concat(CASE value WHEN '' THEN 'none' ELSE value END, '; ')"
		" FROM run_props WHERE run_id = ?1 AND key GLOB 'leak_guard.*.leaking'");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0)
		printf("leak guard: the workloads were stopped %d time(s) for lack of memory; leaking when"
		       " stopped: %s\n\n", sqlite3_column_int(s, 0), sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	return 0;
}

static int print_run(sqlite3 *db, int64_t run)
{
	/* cycles/s over the last minute of ticks (or what there is). */
	sqlite3_stmt *s = cli_prepare(db,
		"WITH last AS (SELECT t, cycles FROM ticks WHERE run_id = ?1 ORDER BY t DESC LIMIT 1),"
		" prev AS (SELECT t, cycles FROM ticks WHERE run_id = ?1"
		"          AND t <= (SELECT t FROM last) - 60 ORDER BY t DESC LIMIT 1),"
		" base AS (SELECT * FROM prev UNION ALL"
		"          SELECT t, cycles FROM (SELECT t, cycles FROM ticks WHERE run_id = ?1 ORDER BY t LIMIT 1)"
		"          LIMIT 1)"
		" SELECT r.hostname, r.kernel_release, r.device, r.driver, datetime(r.started, 'unixepoch'),"
		"  r.stopped IS NULL, datetime(l.t, 'unixepoch'),"
		"  CASE WHEN l.t > b.t THEN (l.cycles - b.cycles) / (l.t - b.t) END, l.cycles,"
		"  (SELECT COUNT(*) FROM events WHERE run_id = r.id AND kind = 'gap')"
		" FROM runs r LEFT JOIN last l LEFT JOIN base b WHERE r.id = ?1");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	if (sqlite3_step(s) == SQLITE_ROW) {
		printf("run %lld on %s: kernel %s, %s (%s)\n", (long long)run, sqlite3_column_text(s, 0),
		       sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
		printf("started %s UTC, %s; last sample %s UTC; %d gap(s)\n", sqlite3_column_text(s, 4),
		       sqlite3_column_int(s, 5) ? "running (or stopped uncleanly)" : "stopped",
		       sqlite3_column_type(s, 6) == SQLITE_NULL ? "(none)" : (const char *)sqlite3_column_text(s, 6),
		       sqlite3_column_int(s, 9));
		printf("workload cycles: %lld total, %.1f cycles/s lately\n\n", sqlite3_column_int64(s, 8),
		       sqlite3_column_double(s, 7));
	}
	sqlite3_finalize(s);
	return print_guard(db, run);
}

static int status_exec(struct cli *c)
{
	int r;
	int64_t run;
	sqlite3 *db = cli_open_run(c, NULL, &run);
	if (!db || print_run(db, run)) {
		sqlite3_close(db);
		return CMD_ERROR;
	}
	sqlite3_stmt *s = cli_prepare(db,
		"WITH lt AS (SELECT id FROM ticks WHERE run_id = ?1 ORDER BY t DESC LIMIT 1)"
		" SELECT m.name AS metric, s.value AS latest, COALESCE(t.verdict, '-') AS verdict,"
		"  t.slope_per_kcycle AS floor_per_kcycle, t.slope_per_hour AS floor_per_hour"
		" FROM lt JOIN samples s ON s.tick_id = lt.id JOIN metrics m ON m.id = s.metric_id"
		" LEFT JOIN leak_trends t ON t.run_id = ?1 AND t.metric = m.name"
		" ORDER BY t.scope = 'kernel' DESC, t.verdict = 'leaking' DESC, m.name");
	if (s)
		sqlite3_bind_int64(s, 1, run);
	r = s ? cli_print_table(s) : -1;
	sqlite3_finalize(s);
	s = cli_prepare(db, "SELECT group_concat(n || ' ' || verdict, ', ') FROM"
			    " (SELECT verdict, COUNT(*) AS n FROM leak_trends WHERE run_id = ?1 GROUP BY verdict)");
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			printf("\nverdicts: %s\n", sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return r < 0 ? CMD_ERROR : CMD_OK;
}

const struct cmd_entry cmd_status = {
	.name = "status",
	.summary = "Show the newest run: its daemon alive or not, machine, cycles/s, latest values and verdicts",
	.flags = CMD_DATABASE,
	.exec = status_exec,
};
