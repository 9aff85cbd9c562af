/* The schema, its migrations and the leak_trends arithmetic on hand-made
 * series whose slopes are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "analysis/verdicts.h"
#include "db/embedded.h"
#include "db/store.h"
#include "tests/unit/tmp-db.h"

static struct store *open_store(void)
{
	struct store *st;
	char err[256];
	if (store_open(dbpath, &st, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	return st;
}

static const struct run_info run = {
	.hostname = "h", .kernel_release = "6.1.0-test", .config_text = "[daemon]\n",
};

/* Read one leak_trends row with an independent connection, as sqlite3
 * would, after judging the runs not judged up to their last tick (as
 * the daemon or the CLI does: leak_trends reads the stored verdicts). */
struct trend {
	long long samples;
	double span, first, last, per_hour, per_kcycle;
	int per_kcycle_null;
};

static struct trend read_trend(int64_t run_id, const char *metric)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char err[256];
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (gs_store_stale_verdicts(db, 0, NULL, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT samples, span_s, first_value, last_value, slope_per_hour, slope_per_kcycle"
		" FROM leak_trends WHERE run_id = ? AND metric = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	struct trend t = {
		sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1), sqlite3_column_double(s, 2),
		sqlite3_column_double(s, 3), sqlite3_column_double(s, 4), sqlite3_column_double(s, 5),
		sqlite3_column_type(s, 5) == SQLITE_NULL,
	};
	sqlite3_finalize(s);
	sqlite3_close(db);
	return t;
}

static int embedded_migrations(void)
{
	int n = 0;
	while (gs_migrations[n].name)
		n++;
	return n;
}

static void schema_is_versioned(void **state)
{
	int latest = embedded_migrations();
	assert_true(latest >= 2);
	struct store *st = open_store();
	assert_int_equal(store_schema_version(st), latest);
	store_close(st);
	st = open_store(); /* reopening applies nothing twice */
	assert_int_equal(store_schema_version(st), latest);
	store_close(st);

	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	char err[256];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema version 99 is newer"));
}

static void trend_arithmetic(void **state)
{
	struct store *st = open_store();
	int64_t run_id;
	/* One sample per floor window: the floor fit is the plain fit. */
	assert_int_equal(store_set_setting(st, "window_s", 10), 0);
	assert_int_equal(store_begin_run(st, 1000.0, &run, &run_id), 0);
	struct metric_batch b;
	batch_init(&b);
	/* 20 ticks, 10 s apart, 100 cycles apart:
	 *   leak:  5 + 2k         -> 720 per hour, 20 per 1000 cycles
	 *   saw:   k % 2 ? 3 : 1  -> flat on average
	 *   flat:  7 */
	for (int k = 0; k < 20; k++) {
		batch_reset(&b);
		batch_put(&b, "leak", 5 + 2 * k, "count");
		batch_put(&b, "saw", k % 2 ? 3 : 1, "count");
		batch_put(&b, "flat", 7, "count");
		assert_int_equal(store_samples(st, run_id, 1000.0 + 10 * k, (uint64_t)(100 * k), &b), 0);
	}
	batch_free(&b);
	assert_int_equal(store_event(st, run_id, 1001.0, "notice", "test", "kind", "message"), 0);
	assert_int_equal(store_run_prop(st, run_id, "seed", "1"), 0);
	assert_int_equal(store_run_prop(st, run_id, "seed", "42"), 0); /* replaces */
	assert_int_equal(store_end_run(st, run_id, 1200.0), 0);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(value) FROM run_props WHERE key = 'seed'",
					    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "42");
	sqlite3_finalize(q);
	sqlite3_close(db);

	struct trend t = read_trend(run_id, "leak");
	assert_int_equal(t.samples, 20);
	assert_float_equal(t.span, 190.0, 1e-9);
	assert_float_equal(t.first, 5.0, 1e-9);
	assert_float_equal(t.last, 43.0, 1e-9);
	assert_float_equal(t.per_hour, 720.0, 1e-6);
	assert_float_equal(t.per_kcycle, 20.0, 1e-6);

	t = read_trend(run_id, "saw");
	assert_true(t.per_kcycle < 0.2 && t.per_kcycle > -0.2);

	t = read_trend(run_id, "flat");
	assert_float_equal(t.per_hour, 0.0, 1e-9);
	assert_float_equal(t.per_kcycle, 0.0, 1e-9);
	store_close(st);
}

static void runs_are_separate(void **state)
{
	struct store *st = open_store();
	int64_t r1, r2;
	struct metric_batch b;
	batch_init(&b);
	assert_int_equal(store_set_setting(st, "window_s", 10), 0);
	assert_int_equal(store_begin_run(st, 0.0, &run, &r1), 0);
	assert_int_equal(store_begin_run(st, 0.0, &run, &r2), 0);
	assert_true(r2 != r1);
	for (int k = 0; k < 5; k++) {
		batch_reset(&b);
		batch_put(&b, "m", k, "count");
		store_samples(st, r1, 10.0 * k, 0, &b); /* no cycles in run 1 */
		batch_reset(&b);
		batch_put(&b, "m", 100 - k, "count");
		store_samples(st, r2, 10.0 * k, (uint64_t)(1000 * k), &b);
	}
	batch_free(&b);
	struct trend t1 = read_trend(r1, "m"), t2 = read_trend(r2, "m");
	assert_float_equal(t1.per_hour, 360.0, 1e-6);
	assert_true(t1.per_kcycle_null); /* no work done: no per-cycle slope */
	assert_float_equal(t2.per_hour, -360.0, 1e-6);
	assert_float_equal(t2.per_kcycle, -1.0, 1e-6);
	store_close(st);
}

/* A database removed or replaced under the daemon is noticed. */
static void replaced_file_is_noticed(void **state)
{
	struct store *st = open_store();
	assert_false(store_file_replaced(st));
	char moved[96];
	snprintf(moved, sizeof(moved), "%s.old", dbpath);
	assert_int_equal(rename(dbpath, moved), 0);
	assert_true(store_file_replaced(st)); /* gone */
	FILE *f = fopen(dbpath, "w");
	assert_non_null(f);
	fclose(f);
	assert_true(store_file_replaced(st)); /* another file at the path */
	unlink(dbpath);
	assert_int_equal(rename(moved, dbpath), 0);
	assert_false(store_file_replaced(st)); /* the same file back */
	store_close(st);
}

/* One value of a query, from an independent connection. */
static double query_double(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	double v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The probe's pauses go into probe_pauses when the schema has it; the
 * store creates nothing, and says so without it. */
static void probe_pauses_recorded(void **state)
{
	struct store *st = open_store();
	int64_t r;
	assert_int_equal(store_begin_run(st, 0.0, &run, &r), 0);
	bool had = query_double("SELECT COUNT(*) FROM sqlite_master WHERE name = 'probe_pauses'") > 0;
	if (!had) {
		assert_int_equal(store_probe_pause_begin(st, r, "canary", 10.0), STORE_NO_TABLE);
		assert_int_equal(store_probe_pause_end(st, r, "canary", 10.0, 20.0), STORE_NO_TABLE);
		assert_int_equal(store_probe_close_open(st, r), STORE_NO_TABLE);
		assert_int_equal(query_double("SELECT COUNT(*) FROM sqlite_master WHERE name = 'probe_pauses'"), 0);
		sqlite3 *db;
		assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "CREATE TABLE probe_pauses (run_id INTEGER NOT NULL REFERENCES runs(id),"
					  " workload TEXT NOT NULL, t_start REAL NOT NULL, t_end REAL,"
					  " PRIMARY KEY (run_id, workload, t_start))", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(store_probe_pause_begin(st, r, "canary", 10.0), 0);
	assert_int_equal(query_double("SELECT t_end FROM probe_pauses WHERE workload = 'canary'"), -1); /* NULL */
	assert_int_equal(store_probe_pause_end(st, r, "canary", 10.0, 20.0), 0);
	assert_float_equal(query_double("SELECT t_end FROM probe_pauses WHERE workload = 'canary'"), 20.0, 1e-9);
	/* a daemon that died during a pause: closed at the run's last tick */
	assert_int_equal(store_probe_pause_begin(st, r, "flink-share", 30.0), 0);
	struct metric_batch b;
	batch_init(&b);
	batch_put(&b, "m", 1, "count");
	assert_int_equal(store_samples(st, r, 42.0, 0, &b), 0);
	batch_free(&b);
	assert_int_equal(store_probe_close_open(st, r), 0);
	assert_float_equal(query_double("SELECT t_end FROM probe_pauses WHERE workload = 'flink-share'"), 42.0, 1e-9);
	assert_float_equal(query_double("SELECT t_end FROM probe_pauses WHERE workload = 'canary'"), 20.0, 1e-9);
	store_close(st);
}

/* Run sql on the database with a connection of its own. */
static void exec_sql(const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* What the database refuses for good is told from what may pass: a value
 * that breaks the samples' key is left out of a round that is written; a
 * tick the schema refuses is a round that can never be written; a lock
 * held by another writer is worth a retry. */
static void refusals_told_from_failures(void **state)
{
	struct store *st = open_store();
	int64_t r;
	assert_int_equal(store_begin_run(st, 0, &run, &r), 0);
	struct metric_batch b;
	batch_init(&b);
	batch_put(&b, "a", 1, "count");
	batch_put(&b, "b", 2, "count");
	batch_put(&b, "a", 3, "count"); /* a name twice */
	int rc = store_samples(st, r, 10.0, 0, &b);
	print_message("a round with a name twice: %d, %.0f tick(s), %.0f sample(s) written: %s\n", rc,
		      query_double("SELECT COUNT(*) FROM ticks"), query_double("SELECT COUNT(*) FROM samples"),
		      store_errmsg(st));
	assert_int_equal(rc, STORE_VALUES_REFUSED);
	assert_non_null(strstr(store_errmsg(st), "1 value(s) refused, the first a: UNIQUE"));
	assert_float_equal(query_double("SELECT COUNT(*) FROM samples"), 2, 0);
	assert_float_equal(query_double("SELECT value FROM samples s JOIN metrics m ON m.id = s.metric_id"
					" WHERE m.name = 'b'"), 2, 0);

	exec_sql("CREATE TRIGGER refuse BEFORE INSERT ON ticks WHEN NEW.t = 20"
		 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
	assert_int_equal(store_samples(st, r, 20.0, 0, &b), STORE_ROUND_REFUSED);
	assert_non_null(strstr(store_errmsg(st), "refused by the test"));
	batch_reset(&b);
	batch_put(&b, "a", 4, "count");
	assert_int_equal(store_samples(st, r, 30.0, 0, &b), 0);

	sqlite3 *other;
	assert_int_equal(sqlite3_open(dbpath, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_samples(st, r, 40.0, 0, &b), -1);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(store_samples(st, r, 40.0, 0, &b), 0);
	assert_float_equal(query_double("SELECT COUNT(*) FROM ticks"), 3, 0); /* 10, 30 and 40 */
	batch_free(&b);
	store_close(st);
}

static long long wal_bytes(void)
{
	char p[96];
	struct stat sb;
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* A batch whose COMMIT fails (its file cannot grow: a full disk, here
 * RLIMIT_FSIZE) must not leave its transaction open: the rounds after it
 * are written once the file can grow again, as a daemon whose disk
 * filled during its start goes on (they failed with "cannot start a
 * transaction within a transaction" until it stopped, and were dropped). */
static void failed_commit_leaves_no_transaction(void **state)
{
	struct store *st = open_store();
	int64_t r;
	assert_int_equal(store_begin_run(st, 0, &run, &r), 0);
	struct metric_batch b;
	batch_init(&b);
	char name[32];
	for (int i = 0; i < 3000; i++) { /* pages enough that the WAL must grow */
		snprintf(name, sizeof(name), "m%d", i);
		batch_put(&b, name, i, "count");
	}
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)(wal_bytes() > 0 ? wal_bytes() : 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int began = store_batch_begin(st);
	int stored = store_samples(st, r, 10.0, 0, &b);
	int ended = store_batch_end(st);
	setrlimit(RLIMIT_FSIZE, &old);
	print_message("under the limit: begin %d, round %d, commit %d (%s)\n", began, stored, ended, store_errmsg(st));
	assert_int_equal(began, 0);
	assert_int_equal(ended, -1);
	int again = store_samples(st, r, 20.0, 0, &b);
	print_message("the next round: %d (%s), %.0f tick(s) stored\n", again, again ? store_errmsg(st) : "stored",
		      query_double("SELECT COUNT(*) FROM ticks"));
	assert_int_equal(again, 0);
	assert_float_equal(query_double("SELECT COUNT(*) FROM ticks"), 1, 0);
	batch_free(&b);
	store_close(st);
}

/* A reader holding a read transaction lets the WAL grow past its bound
 * (no checkpoint can reach its end); once the reader is gone, the next
 * round brings it back under the bound instead of keeping its peak. */
static void wal_shrinks_after_a_long_reader(void **state)
{
	struct store *st = open_store();
	int64_t r;
	assert_int_equal(store_begin_run(st, 0, &run, &r), 0);
	struct metric_batch b;
	batch_init(&b);
	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "m.%d", i);
		batch_put(&b, name, i, "count");
	}
	sqlite3 *reader;
	assert_int_equal(sqlite3_open_v2(dbpath, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM ticks", NULL, NULL, NULL), SQLITE_OK);
	int rounds = 0;
	while (wal_bytes() < 12LL << 20 && rounds < 2000) {
		assert_int_equal(store_samples(st, r, 10.0 * rounds, 0, &b), 0);
		rounds++;
	}
	long long peak = wal_bytes();
	assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(reader);
	assert_int_equal(store_samples(st, r, 10.0 * rounds, 0, &b), 0);
	print_message("WAL %lld kB after %d rounds under a reader, %lld kB one round after it left\n",
		      peak >> 10, rounds, wal_bytes() >> 10);
	assert_true(peak >= 12LL << 20);
	assert_true(wal_bytes() <= 4LL << 20);
	batch_free(&b);
	store_close(st);
}

/* Past `retention`, the prune folds a kernel's thousands of broken
 * promises of one hour into the first and last few rows, which carry the
 * count of the others: the rows are bounded, the count of anomalies (per
 * run and per hour) is what it was, however often the prune runs. The
 * negative control: the events newer than the bound are all untouched. */
static void events_folded_past_retention(void **state)
{
	struct store *st = open_store();
	int64_t r, folded;
	const double t0 = 1000.0;
	assert_int_equal(store_begin_run(st, t0, &run, &r), 0);
	assert_int_equal(store_batch_begin(st), 0);
	for (int i = 0; i < 5000; i++) /* hour 0: one every 0.5 s */
		assert_int_equal(store_event(st, r, t0 + 0.5 * i, "err", "workload w", "promise", "broken"), 0);
	for (int i = 0; i < 300; i++) /* hour 2: newer than the bound */
		assert_int_equal(store_event(st, r, t0 + 7200.0 + i, "err", "workload w", "promise", "broken"), 0);
	assert_int_equal(store_batch_end(st), 0);
	for (int round = 0; round < 2; round++)
		assert_int_equal(store_prune_events(st, t0 + 3600.0, 10, &folded), 0);
	double old_rows = query_double("SELECT COUNT(*) FROM events WHERE t < 4600");
	double new_rows = query_double("SELECT COUNT(*) FROM events WHERE t >= 4600 AND repeats = 1");
	double hour0 = query_double("SELECT anomalies FROM anomalies_per_hour WHERE hour = 0");
	double total = query_double("SELECT SUM(repeats) FROM anomalies");
	print_message("5000 anomalies past retention: %.0f row(s) left, counted %.0f (hour 0), %.0f in all;"
		      " 300 newer: %.0f row(s) untouched\n", old_rows, hour0, total, new_rows);
	assert_true(old_rows <= 21);
	assert_float_equal(hour0, 5000, 0);
	assert_float_equal(total, 5300, 0);
	assert_float_equal(new_rows, 300, 0);
	assert_float_equal(query_double("SELECT COUNT(*) FROM events WHERE t < 1005"), 10, 0); /* the first 10 */
	assert_float_equal(query_double("SELECT COUNT(*) FROM events WHERE t >= 3495 AND t < 4600"), 10, 0); /* the last 10 */
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(schema_is_versioned, setup, teardown),
		cmocka_unit_test_setup_teardown(trend_arithmetic, setup, teardown),
		cmocka_unit_test_setup_teardown(runs_are_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(replaced_file_is_noticed, setup, teardown),
		cmocka_unit_test_setup_teardown(probe_pauses_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals_told_from_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_commit_leaves_no_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(wal_shrinks_after_a_long_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(events_folded_past_retention, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
