/* gemsoak status: the newest run at a glance: where, since when, how fast
 * the workloads cycle (each against its rate, and what a slow positive
 * control needs at the rate it gets), the latest value and verdict of
 * every metric. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/about.h"
#include "cli/commands.h"
#include "cli/daemon-state.h"
#include "cli/findings.h"
#include "cli/format.h"

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

enum daemon_state { ALIVE, STOPPED, CRASHED, ELSEWHERE, UNTESTABLE };
static const char *const state_name[] = { "alive", "stopped", "crashed", "unknown", "unknown" };

/* Alive (the lock is held), stopped (the run recorded its stop), or
 * crashed (neither). A run of another host (a merged database) cannot be
 * told from here. s: the run's row (print_run). */
static enum daemon_state daemon_state(const struct daemon_lock *l, sqlite3_stmt *s, const char *host)
{
	const char *run_host = (const char *)sqlite3_column_text(s, 0);
	if (l->held == 1)
		return ALIVE;
	if (sqlite3_column_type(s, 10) != SQLITE_NULL)
		return STOPPED;
	if (run_host && strcmp(run_host, host) != 0)
		return ELSEWHERE;
	return l->held < 0 ? UNTESTABLE : CRASHED;
}

static void print_daemon(enum daemon_state st, const struct daemon_lock *l, sqlite3_stmt *s, const char *host)
{
	const char *boot = (const char *)sqlite3_column_text(s, 11);
	char this_boot[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f && fgets(this_boot, sizeof(this_boot), f))
		this_boot[strcspn(this_boot, "\n")] = '\0';
	if (f)
		fclose(f);
	if (st == ALIVE && l->pid)
		printf("daemon: alive, pid %d (it holds the database's lock)\n", (int)l->pid);
	else if (st == ALIVE)
		printf("daemon: alive (a process holds the database's lock; its pid is not visible to this user)\n");
	else if (st == STOPPED)
		printf("daemon: stopped (the run recorded its stop at %s UTC)\n", sqlite3_column_text(s, 10));
	else if (st == ELSEWHERE)
		printf("daemon: unknown (the run was recorded on %s, this is %s)\n", sqlite3_column_text(s, 0), host);
	else if (st == UNTESTABLE)
		printf("daemon: unknown (the database's lock cannot be tested: %s)\n", strerror(l->errno_));
	else
		printf("daemon: crashed or killed (the run has no stop and no process holds the database's"
		       " lock%s)\n", boot && this_boot[0] && strcmp(boot, this_boot) != 0 ?
		       "; the machine booted again since" : "");
}

/* The run's summary lines; CMD_OK, CMD_CRASHED (its daemon died without
 * stopping it), or -1 on a database error. */
static int print_run(const struct cli *c, sqlite3 *db, int64_t run, const struct daemon_lock *l)
{
	/* cycles/s over the last minute of ticks (or what there is). */
	sqlite3_stmt *s = cli_prepare(db,
		"WITH last AS (SELECT t, cycles FROM ticks WHERE run_id = ?1 ORDER BY t DESC LIMIT 1),"
		" prev AS (SELECT t, cycles FROM ticks WHERE run_id = ?1"
		"          AND t <= (SELECT t FROM last) - 60 ORDER BY t DESC LIMIT 1),"
		" base AS (SELECT * FROM prev UNION ALL"
		"          SELECT t, cycles FROM (SELECT t, cycles FROM ticks WHERE run_id = ?1 ORDER BY t LIMIT 1)"
		"          LIMIT 1)"
		" SELECT r.hostname AS host, r.kernel_release AS kernel, r.device, r.driver,"
		"  datetime(r.started, 'unixepoch') AS started, r.stopped IS NOT NULL AS stop_recorded,"
		"  datetime(l.t, 'unixepoch') AS last_sample,"
		"  CASE WHEN l.t > b.t THEN (l.cycles - b.cycles) / (l.t - b.t) END AS cycles_per_s, l.cycles AS cycles,"
		"  (SELECT COALESCE(SUM(repeats), 0) FROM events WHERE run_id = r.id AND kind = 'gap') AS gaps,"
		"  datetime(r.stopped, 'unixepoch') AS stopped,"
		"  (SELECT value FROM run_props WHERE run_id = r.id AND key = 'boot_id') AS boot_id, r.id AS run"
		" FROM runs r LEFT JOIN last l LEFT JOIN base b WHERE r.id = ?1");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	int state = CMD_OK;
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	if (sqlite3_step(s) == SQLITE_ROW) {
		enum daemon_state st = daemon_state(l, s, host);
		state = st == CRASHED ? CMD_CRASHED : CMD_OK;
		cli_doc_str(c, "daemon", state_name[st]);
		if (st == ALIVE && l->pid)
			cli_doc_int(c, "daemon_pid", l->pid);
		else
			cli_doc_str(c, "daemon_pid", NULL);
		cli_doc_row(c, "run", s);
		if (cli_human(c)) {
			print_daemon(st, l, s, host);
			printf("run %lld on %s: kernel %s, %s (%s)\n", (long long)run, sqlite3_column_text(s, 0),
			       sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
			printf("started %s UTC, %s; last sample %s UTC; %d gap(s)\n", sqlite3_column_text(s, 4),
			       sqlite3_column_int(s, 5) ? "stopped" : "not stopped",
			       sqlite3_column_type(s, 6) == SQLITE_NULL ? "(none)"
									: (const char *)sqlite3_column_text(s, 6),
			       sqlite3_column_int(s, 9));
			printf("workload cycles: %lld total, %.1f cycles/s lately\n\n", sqlite3_column_int64(s, 8),
			       sqlite3_column_double(s, 7));
		}
	}
	sqlite3_finalize(s);
	return cli_human(c) && print_guard(db, run) ? -1 : state;
}

/* Each workload of the run: its cycles/s over the last minute of its
 * samples, its `rate` (run_props rate.NAME), where it stands (no work,
 * below half its rate since the daemon's workload-below-rate event, at its
 * rate, no cap) and a positive control's leak_every. */
static const char workloads_sql[] =
	"WITH l AS (SELECT c.*, COALESCE((SELECT s.tick_id FROM samples s JOIN ticks t ON t.id = s.tick_id"
	"          WHERE s.metric_id = c.metric_id AND s.tick_id BETWEEN c.first_tick AND c.last_tick"
	"          AND t.t <= c.t_last - 60 ORDER BY s.tick_id DESC LIMIT 1), c.first_tick) AS before"
	"       FROM run_counters c WHERE c.run_id = ?1),"
	" r AS (SELECT l.*, (SELECT t FROM ticks WHERE id = l.before) AS t0,"
	"        (SELECT value FROM samples WHERE metric_id = l.metric_id AND tick_id = l.before) AS c0,"
	"        (SELECT value FROM run_props WHERE run_id = ?1 AND key = 'rate.' || l.workload) AS cap,"
	"        (SELECT CAST(value AS INTEGER) FROM run_props WHERE run_id = ?1 AND key = 'leak_every.' || l.workload)"
	"          AS leak_every,"
	"        (SELECT kind || ' ' || datetime(t, 'unixepoch') FROM events WHERE run_id = ?1"
	"          AND source = 'workload ' || l.workload AND kind IN ('workload-below-rate', 'workload-rate-back')"
	"          ORDER BY t DESC, id DESC LIMIT 1) AS last_rate_event FROM l)"
	" SELECT workload, (SELECT round(x, CASE WHEN x >= 1 THEN 1 ELSE 3 END) FROM (SELECT CASE WHEN t_last > t0"
	"  THEN (last_value - c0) / (t_last - t0) ELSE 0 END AS x)) AS cycles_per_s, COALESCE(cap, '-') AS rate,"
	"  CASE WHEN last_tick > first_tick AND last_value = first_value THEN 'no work'"
	"   WHEN last_rate_event GLOB 'workload-below-rate *'"
	"    THEN 'below half its rate since ' || substr(last_rate_event, 21) || ' UTC'"
	"   WHEN CAST(cap AS REAL) > 0 THEN 'at its rate' ELSE 'no cap' END AS state,"
	"  leak_every"
	" FROM r ORDER BY workload";

/* The workloads against their rate, then a line per positive control
 * with the time it needs at its rate lately. 0, or -1. */
static int print_workloads(struct cli *c, sqlite3 *db, int64_t run)
{
	sqlite3_stmt *s = cli_prepare(db, workloads_sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	if (cli_human(c))
		printf("workloads against their rate (cycles/s over the last minute):\n");
	int r = cli_doc_rows(c, "workloads", s, false) < 0 ? -1 : 0;
	sqlite3_reset(s);
	while (r == 0 && cli_human(c) && sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 4) == SQLITE_NULL)
			continue;
		double per_s = sqlite3_column_double(s, 1);
		char span[32] = "never (no cycle lately)";
		if (per_s > 0)
			about_span(sqlite3_column_double(s, 4) / per_s, span, sizeof(span));
		printf("%s: one kept name per %lld cycles: first evidence after %s at %.1f cycles/s\n",
		       sqlite3_column_text(s, 0), sqlite3_column_int64(s, 4), span, per_s);
	}
	if (cli_human(c))
		putchar('\n');
	sqlite3_finalize(s);
	return r;
}

/* The run's findings first (cli/findings.h): a numbered paragraph each,
 * or a line saying there is none; in JSON and CSV their rows. 0, or -1. */
static int print_findings(struct cli *c, sqlite3 *db, int64_t run)
{
	int n = cli_words_functions(db) ? -1 : cli_load_findings(db, run);
	if (n < 0)
		return -1;
	if (!cli_human(c)) {
		sqlite3_stmt *s = cli_prepare(db, "SELECT id AS finding, workload, holder, per_kcycle AS"
					      " per_kcycle_of_workload, per_hour, unit, lead_metric, metrics, origin,"
					      " summary, next FROM temp.run_findings ORDER BY id");
		int r = s ? cli_doc_rows(c, "findings", s, false) : -1;
		sqlite3_finalize(s);
		return r < 0 ? -1 : 0;
	}
	printf("%d finding(s)%s\n", n, n ? ":" : ": no leak found so far");
	int r = cli_print_findings(db) < 0 ? -1 : 0;
	putchar('\n');
	return r;
}

static int status_once(struct cli *c)
{
	int r;
	int64_t run;
	/* The lock first: no SQLite connection to the file may be open then. */
	struct daemon_lock lock;
	daemon_lock_probe(cli_db_path(c), &lock);
	sqlite3 *db = cli_open_run(c, NULL, &run);
	if (db)
		cli_doc_begin(c);
	int state = db ? print_run(c, db, run, &lock) : -1;
	if (state >= 0 && print_findings(c, db, run))
		state = -1;
	if (state >= 0 && print_workloads(c, db, run))
		state = -1;
	if (state < 0) {
		sqlite3_close(db);
		return CMD_ERROR;
	}
	sqlite3_stmt *s = cli_prepare(db,
		"WITH lt AS (SELECT id FROM ticks WHERE run_id = ?1 ORDER BY t DESC LIMIT 1)"
		" SELECT m.name AS metric, s.value AS latest, COALESCE(t.verdict, CASE WHEN ?9 THEN '-' END) AS verdict,"
		"  t.slope_per_kcycle AS floor_per_kcycle,"
		"  CASE WHEN ?9 THEN words_rate(t.slope_per_hour, m.unit) ELSE t.slope_per_hour END AS floor_per_hour"
		/* by metric into the samples' key (metric, tick): a scan of
		 * them by tick reads the whole run */
		" FROM lt CROSS JOIN metrics m JOIN samples s ON s.metric_id = m.id AND s.tick_id = lt.id"
		" LEFT JOIN leak_trends t ON t.run_id = ?1 AND t.metric = m.name"
		" ORDER BY t.scope = 'kernel' DESC, t.verdict = 'leaking' DESC, m.name");
	/* ?9: a dash for nothing in the table, rates in words; null in JSON,
	 * empty in CSV, numbers. */
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_int(s, 9, cli_human(c));
	}
	r = s ? cli_doc_rows(c, "metrics", s, true) : -1;
	sqlite3_finalize(s);
	s = cli_prepare(db, "SELECT group_concat(n || ' ' || verdict, ', ') FROM"
			    " (SELECT verdict, COUNT(*) AS n FROM leak_trends WHERE run_id = ?1 GROUP BY verdict)");
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) && cli_human(c))
			printf("\nverdicts: %s\n", sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	cli_doc_end(c);
	sqlite3_close(db);
	return r < 0 ? CMD_ERROR : state;
}

/* --watch: the status again every 2 s, the screen cleared first when it
 * is a terminal, as watch(1) does; until interrupted (SIGINT, SIGTERM,
 * SIGHUP: exit 0), an error, or its output gone (a closed pipe with
 * SIGPIPE ignored, a hung-up terminal: exit 2, said on stderr). */
static volatile sig_atomic_t status_stop;
static void status_on_signal(int sig)
{
	(void)sig;
	status_stop = 1;
}

static int status_exec(struct cli *c)
{
	if (!cli_opt(c, "watch"))
		return status_once(c);
	signal(SIGINT, status_on_signal);
	signal(SIGTERM, status_on_signal);
	signal(SIGHUP, status_on_signal);
	bool tty = isatty(STDOUT_FILENO);
	int r = CMD_OK;
	while (!status_stop) {
		if (tty)
			fputs("\033[H\033[2J", stdout);
		time_t now = time(NULL);
		printf("every 2 s: gemsoak status, %s", ctime(&now));
		r = status_once(c);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "gemsoak status: standard output: %s; stopping\n", strerror(errno));
			return CMD_ERROR;
		}
		if (r == CMD_ERROR)
			break;
		for (int i = 0; i < 20 && !status_stop; i++)
			usleep(100000);
	}
	return r == CMD_ERROR ? r : CMD_OK;
}

static const struct cmd_option status_options[] = {
	{ .name = "watch", .letter = 'w', .help = "print it again every 2 s until interrupted (exit 0)" },
	{ NULL },
};

const struct cmd_entry cmd_status = {
	.name = "status",
	.summary = "Show the newest run: its daemon alive, stopped or crashed, cycles/s, values and verdicts",
	.help = "The first line says whether the run's daemon is alive (it holds the database's\n"
		"lock; its pid when this user may see it), stopped (the run recorded its stop),\n"
		"or crashed or killed (neither); a run recorded on another host is unknown.\n",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = status_options,
	.exit_status = "0 the daemon is alive or stopped (or of another host), 3 it crashed or was\n"
		       "killed (the newest run has no stop and nothing holds the database's lock), 2 error.",
	.exec = status_exec,
};
