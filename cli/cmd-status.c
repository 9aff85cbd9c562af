/* gemsoak status: the newest run at a glance: where, since when, how fast
 * the workloads cycle, the latest value and verdict of every metric. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/daemon-state.h"

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

/* The daemon line: alive (the lock is held), stopped (the run recorded its
 * stop), or crashed (neither). A run of another host (a merged database)
 * cannot be told from here. Returns CMD_OK, or CMD_CRASHED. */
static int print_daemon(const struct daemon_lock *l, sqlite3_stmt *s)
{
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	const char *run_host = (const char *)sqlite3_column_text(s, 0);
	bool stopped = sqlite3_column_type(s, 10) != SQLITE_NULL;
	const char *boot = (const char *)sqlite3_column_text(s, 11);
	char this_boot[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f && fgets(this_boot, sizeof(this_boot), f))
		this_boot[strcspn(this_boot, "\n")] = '\0';
	if (f)
		fclose(f);
	if (l->held == 1 && l->pid)
		printf("daemon: alive, pid %d (it holds the database's lock)\n", (int)l->pid);
	else if (l->held == 1)
		printf("daemon: alive (a process holds the database's lock; its pid is not visible to this user)\n");
	else if (stopped)
		printf("daemon: stopped (the run recorded its stop at %s UTC)\n", sqlite3_column_text(s, 10));
	else if (run_host && strcmp(run_host, host) != 0)
		printf("daemon: unknown (the run was recorded on %s, this is %s)\n", run_host, host);
	else if (l->held < 0)
		printf("daemon: unknown (the database's lock cannot be tested: %s)\n", strerror(l->errno_));
	else
		printf("daemon: crashed or killed (the run has no stop and no process holds the database's"
		       " lock%s)\n", boot && this_boot[0] && strcmp(boot, this_boot) != 0 ?
		       "; the machine booted again since" : "");
	return l->held == 0 && !stopped && run_host && strcmp(run_host, host) == 0 ? CMD_CRASHED : CMD_OK;
}

/* The run's summary lines; CMD_OK, CMD_CRASHED (its daemon died without
 * stopping it), or -1 on a database error. */
static int print_run(sqlite3 *db, int64_t run, const struct daemon_lock *l)
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
		"  (SELECT COUNT(*) FROM events WHERE run_id = r.id AND kind = 'gap'),"
		"  datetime(r.stopped, 'unixepoch'),"
		"  (SELECT value FROM run_props WHERE run_id = r.id AND key = 'boot_id')"
		" FROM runs r LEFT JOIN last l LEFT JOIN base b WHERE r.id = ?1");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	int state = CMD_OK;
	if (sqlite3_step(s) == SQLITE_ROW) {
		state = print_daemon(l, s);
		printf("run %lld on %s: kernel %s, %s (%s)\n", (long long)run, sqlite3_column_text(s, 0),
		       sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
		printf("started %s UTC, %s; last sample %s UTC; %d gap(s)\n", sqlite3_column_text(s, 4),
		       sqlite3_column_int(s, 5) ? "not stopped" : "stopped",
		       sqlite3_column_type(s, 6) == SQLITE_NULL ? "(none)" : (const char *)sqlite3_column_text(s, 6),
		       sqlite3_column_int(s, 9));
		printf("workload cycles: %lld total, %.1f cycles/s lately\n\n", sqlite3_column_int64(s, 8),
		       sqlite3_column_double(s, 7));
	}
	sqlite3_finalize(s);
	return print_guard(db, run) ? -1 : state;
}

static int status_exec(struct cli *c)
{
	int r;
	int64_t run;
	/* The lock first: no SQLite connection to the file may be open then. */
	struct daemon_lock lock;
	daemon_lock_probe(cli_db_path(c), &lock);
	sqlite3 *db = cli_open_run(c, NULL, &run);
	int state = db ? print_run(db, run, &lock) : -1;
	if (state < 0) {
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
	return r < 0 ? CMD_ERROR : state;
}

const struct cmd_entry cmd_status = {
	.name = "status",
	.summary = "Show the newest run: its daemon alive, stopped or crashed, cycles/s, values and verdicts",
	.help = "The first line says whether the run's daemon is alive (it holds the database's\n"
		"lock; its pid when this user may see it), stopped (the run recorded its stop),\n"
		"or crashed or killed (neither); a run recorded on another host is unknown.\n",
	.flags = CMD_DATABASE,
	.exit_status = "0 the daemon is alive or stopped (or of another host), 3 it crashed or was\n"
		       "killed (the newest run has no stop and nothing holds the database's lock), 2 error.",
	.exec = status_exec,
};
