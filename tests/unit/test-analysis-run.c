/* The engine's verdicts on a whole run (analysis/run.h), on a run written
 * through the store: a canary's slow leak on a sawtooth, attributed to it
 * and held by a process, and the same sawtooth without the leak as the
 * negative control; a byte total judged with its count (db/TRENDS.md,
 * "Byte totals"); a leak of a workload added late, judged on its cycles
 * ("Late onsets"), with its controls; the machine's memory judged with
 * DRM's ("The machine's memory"). */
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

/* An hour of 10 s rounds of two workloads whose cycles keep a fixed
 * ratio (they share the CPU), so no regression tells them apart: the
 * machine's unreclaimable slab rises by 1 kB per 1000 cycles (the
 * threshold is 0.2) under a 70 s sawtooth, and gem.names_held keeps
 * `kept` names per 1000 cycles on top of 20 in flight. */
static void write_machine(double kept)
{
	int64_t run;
	struct metric_batch b;
	struct store *st = begin_run(&run, &b);
	for (int k = 0; k < TICKS; k++) {
		double t = 10.0 * k, cycles = 300 * t, saw = (double)((k * 10) % 70);
		batch_reset(&b);
		batch_put(&b, "mem.sunreclaim_kb", 20000 + 8 * saw + cycles / 1000, "kB");
		batch_put(&b, "gem.names_held", 20 + saw / 7 + floor(kept * cycles / 1000), "count");
		batch_put(&b, "workload.a.cycles", cycles / 3, "count");
		batch_put(&b, "workload.b.cycles", 2 * cycles / 3, "count");
		assert_int_equal(store_samples(st, run, 1.7e9 + t, (uint64_t)cycles, &b), 0);
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
	store_close(st);
}

/* The verdicts on mem.sunreclaim_kb and gem.names_held of run 1. */
static void judge_machine(enum gs_verdict *mem, enum gs_verdict *names, double *mem_robust)
{
	sqlite3 *db;
	size_t n;
	struct gs_trend_row *rows = judge_run_1(&db, &n);
	const struct gs_trend_row *m = row_of(rows, n, "mem.sunreclaim_kb");
	*mem = m->verdict;
	*mem_robust = m->robust_slope;
	*names = row_of(rows, n, "gem.names_held")->verdict;
	free(rows);
	sqlite3_close(db);
}

/* The machine's memory alone rising with the cycles is no DRM leak
 * (insufficient-data; leaking before the rule); with names kept, one in
 * 500 cycles, both leak. */
static void machine_memory_leaks_only_with_drm(void **state)
{
	enum gs_verdict mem, names;
	double robust;
	write_machine(0);
	judge_machine(&mem, &names, &robust);
	printf("slab alone: mem.sunreclaim_kb %s (robust %.3f kB per 1000 cycles), gem.names_held %s\n",
	       gs_verdict_name(mem), robust, gs_verdict_name(names));
	assert_int_equal(names, GS_STABLE);
	assert_int_equal(mem, GS_INSUFFICIENT_DATA);
	teardown(state);
	write_machine(2);
	judge_machine(&mem, &names, &robust);
	printf("names kept: mem.sunreclaim_kb %s (robust %.3f), gem.names_held %s\n", gs_verdict_name(mem), robust,
	       gs_verdict_name(names));
	assert_int_equal(names, GS_LEAKING);
	assert_int_equal(mem, GS_LEAKING);
}

/* How the canary of a late-onset run runs. */
enum canary { ADDED_LATE, FROM_THE_START };

/* `minutes` of 10 s rounds: flink-share at 200 cycles/s from the start;
 * the canary at 50 cycles/s, added at minute 40 (no reading before, its
 * counter from 0) or running from the start; gem.names_held under a 70 s
 * sawtooth, its floor flat at 20 until minute 40, then (when `rises`)
 * one name more per 3000 cycles the canary ran since: 0.333 per 1000 of
 * its cycles, 0.067 per 1000 of every workload's since minute 40 (the
 * threshold is 0.05), less over the whole run. */
static void write_late(int minutes, enum canary how, int rises)
{
	int64_t run;
	struct metric_batch b;
	struct store *st = begin_run(&run, &b);
	for (int k = 0; k <= 6 * minutes; k++) {
		double t = 10.0 * k, late = 50 * fmax(t - 2400, 0), steady = 200 * t, saw = (double)((k * 10) % 70);
		double canary = how == ADDED_LATE ? late : 50 * t;
		batch_reset(&b);
		batch_put(&b, "gem.names_held", 20 + saw + (rises ? floor(late / 3000) : 0), "count");
		batch_put(&b, "workload.flink-share.cycles", steady, "count");
		if (how == FROM_THE_START || t >= 2400)
			batch_put(&b, "workload.canary.cycles", canary, "count");
		assert_int_equal(store_samples(st, run, 1.7e9 + t, (uint64_t)(steady + canary), &b), 0);
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
	store_close(st);
}

/* gem.names_held of write_late's run into *out (the database removed). */
static void judge_late(int minutes, enum canary how, int rises, struct gs_trend_row *out, void **state)
{
	sqlite3 *db;
	size_t n;
	write_late(minutes, how, rises);
	struct gs_trend_row *rows = judge_run_1(&db, &n);
	*out = *row_of(rows, n, "gem.names_held");
	free(rows);
	sqlite3_close(db);
	teardown(state);
}

/* db/TRENDS.md, "Late onsets": the canary added at minute 40 keeps 0.333
 * names per 1000 of its cycles: judged on its cycles since it started,
 * leaking at every minute from some point to minute 70, attributed to
 * it ("onset") at 0.333 per 1000 of its cycles, and never stable after
 * the onset (without the rule: never leaking to minute 70, and stable
 * at 2 of its minutes). */
static void late_workload_leak_is_found_on_its_cycles(void **state)
{
	struct gs_trend_row r;
	int found = 0, stable = 0;
	for (int m = 45; m <= 70; m += 5) {
		judge_late(m, ADDED_LATE, 1, &r, state);
		found = r.verdict != GS_LEAKING ? 0 : found ? found : m;
		stable += r.verdict == GS_STABLE;
	}
	printf("canary added at 40 min: leaking from minute %d (0: never) to 70, stable at %d of the minutes 45 to 70;"
	       " at 70: %s %.4f, %s %s, %.3f per 1000 of its cycles (robust %.3f on %ld windows)\n", found, stable,
	       gs_verdict_name(r.verdict), r.confidence, r.attribution ? r.attribution : "-", r.workload,
	       r.slope_per_kcycle_workload, r.robust_slope, r.windows);
	assert_true(found > 0 && found <= 60);
	assert_int_equal(stable, 0);
	assert_string_equal(r.attribution, "onset");
	assert_string_equal(r.workload, "canary");
	assert_float_equal(r.slope_per_kcycle_workload, 1.0 / 3, 0.03);
}

/* Negative controls: the same rise with the canary running from the
 * start (no workload started then) is judged as before, on every
 * workload's cycles (no "onset"); the canary added at minute 40 with no
 * rise leaves the floor stable. */
static void no_late_start_or_no_rise_is_no_onset(void **state)
{
	struct gs_trend_row same_rise, no_rise;
	judge_late(100, FROM_THE_START, 1, &same_rise, state);
	judge_late(100, ADDED_LATE, 0, &no_rise, state);
	printf("the same rise, no workload started then: %s %.4f (robust %.3f per 1000 cycles), attribution %s;"
	       " the canary added with no rise: %s %.4f, attribution %s\n", gs_verdict_name(same_rise.verdict),
	       same_rise.confidence, same_rise.robust_slope, same_rise.attribution ? same_rise.attribution : "-",
	       gs_verdict_name(no_rise.verdict), no_rise.confidence, no_rise.attribution ? no_rise.attribution : "-");
	assert_true(!same_rise.attribution || strcmp(same_rise.attribution, "onset") != 0);
	assert_int_equal(no_rise.verdict, GS_STABLE);
	assert_null(no_rise.attribution);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(engine_judges_a_run, setup, teardown),
		cmocka_unit_test_setup_teardown(byte_total_leaks_only_with_its_count, setup, teardown),
		cmocka_unit_test_setup_teardown(machine_memory_leaks_only_with_drm, setup, teardown),
		cmocka_unit_test_setup_teardown(late_workload_leak_is_found_on_its_cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(no_late_start_or_no_rise_is_no_onset, setup, teardown),
	};
	return cmocka_run_group_tests_name("analysis-run", tests, NULL, NULL);
}
