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

static void anomalies_per_hour(void **state)
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
	static const struct { double dt; const char *source, *kind, *msg; } ev[] = {
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
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		assert_int_equal(store_event(st, run, t0 + ev[i].dt, "warning", ev[i].source, ev[i].kind,
					     ev[i].msg), 0);
	store_close(st);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(anomalies_per_hour),
	};
	return cmocka_run_group_tests_name("anomalies", tests, NULL, NULL);
}
