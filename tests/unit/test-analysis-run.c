/* The engine's verdicts on a whole run (analysis/run.h), on a run written
 * through the store: a canary's slow leak on a sawtooth, attributed to it
 * and held by a process, and the same sawtooth without the leak as the
 * negative control; a byte total judged with its count (db/TRENDS.md,
 * "Byte totals"). */
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

/* The test's database opened through the store, run 1 begun and a batch
 * of rounds begun in it; *run gets the run. */
static struct store *begin_run(int64_t *run, struct metric_batch *b)
{
	struct store *st;
	char err[256];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	if (store_open(dbpath, &st, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, run), 0);
	batch_init(b);
	assert_int_equal(store_batch_begin(st), 0);
	return st;
}

/* Two workloads: the canary at 300 cycles/s, keeping one name every 400
 * of its cycles, and flink-share at 200 cycles/s that stops after 20
 * minutes (so that their cycles tell them apart), under a sawtooth of
 * 70 s that both hold. */
static void write_run(void)
{
	int64_t run;
	struct metric_batch b;
	struct store *st = begin_run(&run, &b);
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

/* Run 1 judged by the engine on a read-only connection (*db, left open):
 * its rows (free them), *n their number. */
static struct gs_trend_row *judge_run_1(sqlite3 **db, size_t *n)
{
	struct gs_trend_row *rows;
	char err[256];
	assert_int_equal(sqlite3_open_v2(dbpath, db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (gs_judge_run(*db, 1, &rows, n, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	return rows;
}

static void engine_judges_a_run(void **state)
{
	write_run();
	sqlite3 *db;
	size_t n;
	char err[256];
	struct gs_trend_row *rows = judge_run_1(&db, &n);
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

/* An hour of 10 s rounds of one workload at 300 cycles/s: dma-bufs under
 * a sawtooth of 70 s (up to 20 in flight, 256 KiB each) above a floor of
 * 4 in flight whose sizes grow from 1 MiB to 8 MiB (the mix shifting to
 * framebuffers), and with `kept` of them kept every minute on top (1 MiB
 * each). */
static void write_mix(int64_t kept_per_minute)
{
	int64_t run;
	struct metric_batch b;
	struct store *st = begin_run(&run, &b);
	for (int k = 0; k < TICKS; k++) {
		double t = 10.0 * k, saw = (double)((k * 10) % 70) / 3.5, kept = (double)(kept_per_minute * (k / 6));
		double floor_size = (1 + 7 * t / (10.0 * TICKS)) * 1048576;
		batch_reset(&b);
		batch_put(&b, "dmabuf.objects", 4 + saw + kept, "count");
		batch_put(&b, "dmabuf.bytes", 4 * floor_size + saw * 262144 + kept * 1048576, "bytes");
		batch_put(&b, "workload.gralloc.cycles", 300 * t, "count");
		assert_int_equal(store_samples(st, run, 1.7e9 + t, (uint64_t)(300 * t), &b), 0);
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
	store_close(st);
}

/* The verdicts on dmabuf.bytes and dmabuf.objects of run 1. */
static void judge_mix(enum gs_verdict *bytes, enum gs_verdict *objects, double *bytes_robust)
{
	sqlite3 *db;
	size_t n;
	struct gs_trend_row *rows = judge_run_1(&db, &n);
	*bytes = row_of(rows, n, "dmabuf.bytes")->verdict;
	*bytes_robust = row_of(rows, n, "dmabuf.bytes")->robust_slope;
	*objects = row_of(rows, n, "dmabuf.objects")->verdict;
	free(rows);
	sqlite3_close(db);
}

/* The floor's bytes rise by 28 MiB in the hour with the sizes in flight,
 * its count does not: the byte total is no leak (leaking before the
 * rule, insufficient-data now); the control keeps a buffer a minute, and
 * both leak. */
static void byte_total_leaks_only_with_its_count(void **state)
{
	enum gs_verdict bytes, objects;
	double robust;
	write_mix(0);
	judge_mix(&bytes, &objects, &robust);
	printf("sizes shifting: dmabuf.bytes %s (robust %.0f bytes per 1000 cycles), dmabuf.objects %s\n",
	       gs_verdict_name(bytes), robust, gs_verdict_name(objects));
	assert_int_equal(objects, GS_STABLE);
	assert_int_equal(bytes, GS_INSUFFICIENT_DATA);
	teardown(state);
	write_mix(1);
	judge_mix(&bytes, &objects, &robust);
	printf("a buffer kept a minute: dmabuf.bytes %s (robust %.0f), dmabuf.objects %s\n", gs_verdict_name(bytes),
	       robust, gs_verdict_name(objects));
	assert_int_equal(objects, GS_LEAKING);
	assert_int_equal(bytes, GS_LEAKING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(engine_judges_a_run, setup, teardown),
		cmocka_unit_test_setup_teardown(byte_total_leaks_only_with_its_count, setup, teardown),
	};
	return cmocka_run_group_tests_name("analysis-run", tests, NULL, NULL);
}
