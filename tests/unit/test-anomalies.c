/* The anomalies views: which events count as anomalies, and their count
 * per run, hour of the run, workload and kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/store.h"

static char dbpath[64];

/* The database and its WAL files. */
static void cleanup(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < 3; i++) {
		char file[96];
		snprintf(file, sizeof(file), "%s%s", dbpath, suffixes[i]);
		unlink(file);
	}
}

static void query(const char *sql, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	size_t used = 0;
	out[0] = '\0';
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++)
			used += (size_t)snprintf(out + used, len - used, "%s%s", c ? "|" : "",
						 (const char *)sqlite3_column_text(s, c));
		used += (size_t)snprintf(out + used, len - used, "\n");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

struct ev {
	double dt;
	const char *source, *kind, *msg;
};

/* A fresh database holding one run (started at t0) with these events. */
static void store_events(const struct ev *ev, size_t n)
{
	snprintf(dbpath, sizeof(dbpath), "/tmp/gs-test-anom-XXXXXX");
	close(mkstemp(dbpath));
	unlink(dbpath);
	struct store *st;
	char err[256];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run;
	const double t0 = 1000000.0;
	assert_int_equal(store_begin_run(st, t0, &ri, &run), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(store_event(st, run, t0 + ev[i].dt, "warning", ev[i].source, ev[i].kind,
					     ev[i].msg), 0);
	store_close(st);
}

static void anomalies_per_hour(void **state)
{
	static const struct ev ev[] = {
		{ 10, "workload ps", "promise", "process 1: same_handle_on_reimport violated: ..." },
		{ 20, "workload ps", "promise", "process 1: size_matches violated: ..." },
		{ 30, "workload race", "unexpected-errno", "process 0: export-vs-close: ..." },
		{ 40, "workload ps", "worker-exit", "process 2 killed by signal SEGV; restarting the workload" },
		{ 50, "workload ps", "worker-exit", "process 2 exited with status 3; restarting the workload" },
		{ 60, "workload ps", "worker-restart", "restarting (restart 1)" },
		{ 70, "daemon", "promise", "not from a workload" },
		{ 3700, "workload x", "signal", "process 0: generation 7: server killed by signal ABRT" },
		{ 3800, "workload ps", "promise", "process 1: handle_gone violated: ..." },
	};
	store_events(ev, sizeof(ev) / sizeof(ev[0]));
	char out[1024];
	query("SELECT run_id, hour, workload, kind, anomalies FROM anomalies_per_hour", out, sizeof(out));
	assert_string_equal(out,
			    "1|0|ps|promise|2\n"
			    "1|0|ps|worker-exit|1\n"
			    "1|0|race|unexpected-errno|1\n"
			    "1|1|ps|promise|1\n"
			    "1|1|x|signal|1\n");
	cleanup();
}

/* display-server's failed restarts are anomalies; its steps killed after their
 * timeout are lateness, not broken promises (docs/workloads.md). */
static void x_restart_failures_and_lateness(void **state)
{
	static const struct ev ev[] = {
		{ 10, "workload xorg", "server-failed", "process 0: generation 1: 'Xorg' exited with status 1 before it was ready" },
		{ 20, "workload xorg", "client-failed", "process 0: generation 2: client 0 of display :0 exited with status 1" },
		{ 30, "workload xorg", "server-exit", "process 0: generation 3: display :0 exited with status 6 on SIGTERM" },
		{ 40, "workload xorg", "server-not-ready", "process 0: generation 4: 'Xorg' not ready after 60 s; killed" },
		{ 50, "workload xorg", "client-timeout", "process 0: generation 5: client 1 of display :0 still running after 60 s; killed" },
		{ 60, "workload xorg", "server-stop-timeout", "process 0: generation 6: display :0 still running 60 s after SIGTERM; killed" },
		{ 70, "workload cmd", "restart-timeout", "process 0: generation 1: 'sleep 99' still running after 1 s; killed" },
		{ 80, "workload cmd", "restart-failed", "process 0: generation 2: 'false' exited with status 1" },
	};
	store_events(ev, sizeof(ev) / sizeof(ev[0]));
	char out[1024];
	query("SELECT workload, kind FROM anomalies ORDER BY t", out, sizeof(out));
	assert_string_equal(out,
			    "xorg|server-failed\n"
			    "xorg|client-failed\n"
			    "xorg|server-exit\n"
			    "cmd|restart-failed\n");
	query("SELECT workload, kind FROM lateness ORDER BY t", out, sizeof(out));
	assert_string_equal(out,
			    "xorg|server-not-ready\n"
			    "xorg|client-timeout\n"
			    "xorg|server-stop-timeout\n"
			    "cmd|restart-timeout\n");
	cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(anomalies_per_hour),
		cmocka_unit_test(x_restart_failures_and_lateness),
	};
	return cmocka_run_group_tests_name("anomalies", tests, NULL, NULL);
}
