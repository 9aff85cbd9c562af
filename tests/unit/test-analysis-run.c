/* The engine's verdicts on a whole run (analysis/run.h), on a run written
 * through the store: a canary's slow leak on a sawtooth, attributed to it
 * and held by a process, and the same sawtooth without the leak as the
 * negative control. */
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

#include "analysis/run.h"
#include "db/store.h"
#include "tests/unit/tmp-db.h"

#define TICKS 360 /* an hour of 10 s rounds */

/* Two workloads: the canary at 300 cycles/s, keeping one name every 400
 * of its cycles, and flink-share at 200 cycles/s that stops after 20
 * minutes (so that their cycles tell them apart), under a sawtooth of
 * 70 s that both hold. */
static void write_run(void)
{
	struct store *st;
	char err[256];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run;
	struct metric_batch b;
	if (store_open(dbpath, &st, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, &run), 0);
	batch_init(&b);
	assert_int_equal(store_batch_begin(st), 0);
	for (int k = 0; k < TICKS; k++) {
		double t = 10.0 * k, canary = 300 * t, other = 200 * fmin(t, 1200), saw = (double)((k * 10) % 70);
		batch_reset(&b);
		batch_put(&b, "gem.flink_names", 20 + saw + floor(canary / 400), "count");
		batch_put(&b, "gem.names_held", floor(canary / 400), "count");
		batch_put(&b, "gem.names_unheld", 0, "count");
		batch_put(&b, "dmabuf.objects", 20 + saw, "count");
		batch_put(&b, "workload.canary.cycles", canary, "count");
		batch_put(&b, "workload.flink-share.cycles", other, "count");
		assert_int_equal(store_samples(st, run, 1.7e9 + t, (uint64_t)(canary + other), &b), 0);
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
	store_close(st);
}

static const struct gs_trend_row *row_of(const struct gs_trend_row *rows, size_t n, const char *metric)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].metric, metric) == 0)
			return &rows[i];
	fail_msg("no row for %s", metric);
	return NULL;
}

static void engine_judges_a_run(void **state)
{
	write_run();
	sqlite3 *db;
	struct gs_trend_row *rows;
	size_t n;
	char err[256];
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (gs_judge_run(db, 1, &rows, &n, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(n, 6);
	const struct gs_trend_row *leak = row_of(rows, n, "gem.flink_names");
	const struct gs_trend_row *clean = row_of(rows, n, "dmabuf.objects");
	printf("leak: %s (confidence %.4f), robust %.3f per 1000 cycles on %.0f s windows, workload %s %.3f,"
	       " holder %s; control: %s (confidence %.4f), robust %.3f\n", gs_verdict_name(leak->verdict),
	       leak->confidence, leak->robust_slope, leak->window_s, leak->workload, leak->slope_per_kcycle_workload,
	       leak->holder ? leak->holder : "none", gs_verdict_name(clean->verdict), clean->confidence,
	       clean->robust_slope);
	assert_int_equal(leak->verdict, GS_LEAKING);
	assert_string_equal(leak->workload, "canary");
	assert_float_equal(leak->slope_per_kcycle_workload, 2.5, 0.01);
	assert_string_equal(leak->holder, "process");
	assert_int_equal(clean->verdict, GS_STABLE);
	assert_int_equal(row_of(rows, n, "workload.canary.cycles")->verdict, GS_NOT_ASSESSED);
	free(rows);
	assert_int_equal(gs_judge_run(db, 2, &rows, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "run 2 is not in the database"));
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(engine_judges_a_run, setup, teardown),
	};
	return cmocka_run_group_tests_name("analysis-run", tests, NULL, NULL);
}
