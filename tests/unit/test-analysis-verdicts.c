/* The engine's verdicts kept as a run goes on (analysis/verdicts.h): the
 * latest in verdicts, the same as leak_trends', and every change in
 * verdict_history. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "analysis/verdicts.h"
#include "db/store.h"
#include "tests/unit/tmp-db.h"

/* Rounds from..to (10 s apart) of a canary keeping one name every 400 of
 * its 300 cycles/s under a sawtooth of 70 s, and the sawtooth alone. */
static void write_rounds(struct store *st, int64_t run, int from, int to)
{
	struct metric_batch b;
	batch_init(&b);
	assert_int_equal(store_batch_begin(st), 0);
	for (int k = from; k < to; k++) {
		double t = 10.0 * k, cycles = 300 * t, saw = (double)((k * 10) % 70);
		batch_reset(&b);
		batch_put(&b, "gem.flink_names", 20 + saw + floor(cycles / 400), "count");
		batch_put(&b, "dmabuf.objects", 20 + saw, "count");
		batch_put(&b, "workload.canary.cycles", cycles, "count");
		assert_int_equal(store_samples(st, run, 1.7e9 + t, (uint64_t)cycles, &b), 0);
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
}

/* Store the verdicts of run 1 on a connection of its own; the number of
 * changes. */
static size_t store_verdicts(void)
{
	sqlite3 *db;
	char err[256];
	size_t changed;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (gs_store_verdicts(db, 1, &changed, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	sqlite3_close(db);
	return changed;
}

static void verdicts_and_their_history(void **state)
{
	struct store *st;
	char err[256];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run;
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, &run), 0);
	assert_int_equal(store_verdicts(), 0); /* no tick yet: nothing */
	write_rounds(st, run, 0, 12);
	size_t first = store_verdicts();
	write_rounds(st, run, 12, 360);
	size_t later = store_verdicts();
	size_t again = store_verdicts();
	store_close(st);

	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT m.name, h.t - 1.7e9, COALESCE(h.old_verdict, '-'),"
					    " h.new_verdict FROM verdict_history h JOIN metrics m ON m.id = h.metric_id"
					    " ORDER BY m.name, h.t", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		printf("%s at %.0f s: %s -> %s\n", sqlite3_column_text(s, 0), sqlite3_column_double(s, 1),
		       sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	printf("changes: %zu at 2 minutes, %zu at an hour, %zu when nothing new came\n", first, later, again);
	assert_int_equal(first, 3); /* every metric's first verdict */
	assert_int_equal(again, 0);
	/* the leak leaking from its first verdict; the control undecided,
	 * then stable */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdict_history h JOIN metrics m ON m.id = h.metric_id"
				  " WHERE m.name = 'gem.flink_names' AND h.old_verdict IS NULL"
				  " AND h.new_verdict = 'leaking' AND h.t = 1.7e9 + 110"), 1);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdict_history h JOIN metrics m ON m.id = h.metric_id"
				  " WHERE m.name = 'dmabuf.objects' AND h.old_verdict = 'insufficient-data'"
				  " AND h.new_verdict = 'stable' AND h.t = 1.7e9 + 3590"), 1);
	assert_int_equal(later, 1);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdict_history"), 4);
	/* every row as the view has it */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdicts"), 3);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdicts v JOIN metrics m ON m.id = v.metric_id"
				  " JOIN leak_trends l ON l.run_id = v.run_id AND l.metric = m.name"
				  " WHERE l.verdict IS v.verdict AND l.confidence IS v.confidence"
				  " AND l.robust_slope IS v.robust_slope AND l.workload IS v.workload"
				  " AND l.windows = v.windows AND l.samples = v.samples"), 3);
	sqlite3_close(db);
}

/* The runs of dbpath gs_stale_runs lists, as "1 2 ..." ("" for none). */
static void stale_of(int64_t skip, char *out, size_t len)
{
	sqlite3 *db;
	char err[256];
	int64_t *runs;
	size_t n, used = 0;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (gs_stale_runs(db, skip, &runs, &n, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%lld", i ? " " : "", (long long)runs[i]);
	free(runs);
	sqlite3_close(db);
}

/* Judge the stale runs but skip on a connection of its own; how many. */
static size_t store_stale(int64_t skip)
{
	sqlite3 *db;
	char err[256];
	size_t judged;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (gs_store_stale_verdicts(db, skip, &judged, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	sqlite3_close(db);
	return judged;
}

/* A run is judged again when its verdicts are missing, older than its
 * last tick or of another basis (thresholds edited, an older method);
 * one judged up to date, or without ticks, or skipped, is left alone;
 * judging after the fact writes no history. */
static void stale_runs_are_judged_again(void **state)
{
	struct store *st;
	char err[256], stale[64];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t r1, r2, r3;
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, &r1), 0);
	write_rounds(st, r1, 0, 120);
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, &r2), 0);
	write_rounds(st, r2, 0, 120);
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, &r3), 0); /* no ticks */
	assert_int_equal(store_verdicts(), 3);                       /* run 1, as a daemon */
	stale_of(0, stale, sizeof(stale));
	printf("stale: [%s] with run 1 judged to its last tick\n", stale);
	assert_string_equal(stale, "2");
	write_rounds(st, r1, 120, 130);
	stale_of(0, stale, sizeof(stale));
	printf("stale: [%s] after 10 more rounds of run 1\n", stale);
	assert_string_equal(stale, "1 2");
	stale_of(1, stale, sizeof(stale));
	assert_string_equal(stale, "2");
	assert_int_equal(store_stale(1), 1);
	stale_of(0, stale, sizeof(stale));
	assert_string_equal(stale, "1");
	assert_int_equal(store_stale(0), 1);
	stale_of(0, stale, sizeof(stale));
	assert_string_equal(stale, "");
	assert_int_equal(store_stale(0), 0);
	store_close(st);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	/* judged after the fact: verdicts, no history */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdicts WHERE run_id = 2"), 3);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdict_history WHERE run_id = 2"), 0);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM verdict_history WHERE run_id = 1"), 3);
	/* thresholds edited: every run's verdicts are of another basis */
	assert_int_equal(sqlite3_exec(db, "UPDATE trend_thresholds SET min_windows = min_windows + 1", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	stale_of(0, stale, sizeof(stale));
	printf("stale: [%s] after the thresholds changed\n", stale);
	assert_string_equal(stale, "1 2");
	/* the floor window setting is not part of it */
	assert_int_equal(store_stale(0), 2);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT OR REPLACE INTO trend_settings VALUES ('window_s', 7)", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	stale_of(0, stale, sizeof(stale));
	assert_string_equal(stale, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(verdicts_and_their_history, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_runs_are_judged_again, setup, teardown),
	};
	return cmocka_run_group_tests_name("analysis-verdicts", tests, NULL, NULL);
}
