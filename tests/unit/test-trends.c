/* Leak verdicts (leak_trends, db/TRENDS.md) on synthetic series sampled
 * every 10 s at 500 cycles/s with the default 5-minute floor window:
 * normal use must not look like a leak, and a slow leak must. */
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

#include "analysis/verdicts.h"
#include "db/store.h"
#include "tests/unit/tmp-db.h"

#define TICK_S 10.0
#define CYCLES_PER_S 500.0
#define T0 1.7e9

/* Value of a series at tick k (t = k * TICK_S). */
typedef double (*series_fn)(int k);

/* Fills one sampling round: tick k, time t into the run, `cycles` of all
 * workloads so far. */
typedef void (*round_fn)(int k, double t, double cycles, struct metric_batch *b);

/* Store `ticks` rounds, tick_s apart at cycles_per_s, made by f. */
/* When set, tick k is at tick_times[k] seconds into the run instead of
 * k * tick_s. */
static const double *tick_times;

static void write_run(round_fn f, int ticks, double tick_s, double cycles_per_s)
{
	struct store *st;
	char err[256];
	if (store_open(dbpath, &st, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run;
	assert_int_equal(store_begin_run(st, T0, &ri, &run), 0);
	struct metric_batch b;
	batch_init(&b);
	assert_int_equal(store_batch_begin(st), 0);
	for (int k = 0; k < ticks; k++) {
		batch_reset(&b);
		double t = tick_times ? tick_times[k] : k * tick_s;
		f(k, t, t * cycles_per_s, &b);
		assert_int_equal(store_samples(st, run, T0 + t, (uint64_t)(t * cycles_per_s), &b), 0);
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
	store_close(st);
}

/* Judge every run anew with the engine (leak_trends reads the stored
 * verdicts), as the data stands now. */
static void judge_all(void)
{
	sqlite3 *db;
	char err[256];
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM verdicts", NULL, NULL, NULL), SQLITE_OK);
	if (gs_store_stale_verdicts(db, 0, NULL, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	sqlite3_close(db);
}

/* One row of leak_trends for `metric`. */
struct trend {
	char verdict[32], workload[32], holder[16], scope[16], attribution[16];
	double slope, robust, confidence, workload_slope, window_s;
};

static struct trend trend_of(const char *metric)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	struct trend r = { 0 };
	judge_all();
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT verdict, slope_per_kcycle, robust_slope, confidence,"
					    " workload, slope_per_kcycle_workload, holder, scope, window_s, attribution"
					    " FROM leak_trends WHERE metric = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, metric, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(r.verdict, sizeof(r.verdict), "%s", (const char *)sqlite3_column_text(s, 0));
	r.slope = sqlite3_column_double(s, 1);
	r.robust = sqlite3_column_double(s, 2);
	r.confidence = sqlite3_column_double(s, 3);
	if (sqlite3_column_type(s, 4) != SQLITE_NULL)
		snprintf(r.workload, sizeof(r.workload), "%s", (const char *)sqlite3_column_text(s, 4));
	r.workload_slope = sqlite3_column_double(s, 5);
	if (sqlite3_column_type(s, 6) != SQLITE_NULL)
		snprintf(r.holder, sizeof(r.holder), "%s", (const char *)sqlite3_column_text(s, 6));
	snprintf(r.scope, sizeof(r.scope), "%s", (const char *)sqlite3_column_text(s, 7));
	r.window_s = sqlite3_column_double(s, 8);
	const unsigned char *method = sqlite3_column_text(s, 9);
	if (method)
		snprintf(r.attribution, sizeof(r.attribution), "%s", (const char *)method);
	print_message("    %s: attribution by %s\n", metric, method ? (const char *)method : "nothing");
	sqlite3_finalize(s);
	sqlite3_close(db);
	print_message("    %s: %s (confidence %.4f), floor %.3f/kcycle, robust %.3f, window %.0f s, "
		      "workload '%s' %.3f/kcycle of it, holder '%s', scope %s\n", metric, r.verdict,
		      r.confidence, r.slope, r.robust, r.window_s, r.workload, r.workload_slope, r.holder, r.scope);
	return r;
}

static series_fn one_series;

static void one_metric(int k, double t, double cycles, struct metric_batch *b)
{
	batch_put(b, "m", one_series(k), "count");
}

/* Store `ticks` rounds of one metric "m" (10 s apart, 500 cycles/s) and
 * return its verdict. */
static char *verdict_of(series_fn f, int ticks)
{
	one_series = f;
	write_run(one_metric, ticks, TICK_S, CYCLES_PER_S);
	return strdup(trend_of("m").verdict);
}

static void expect(series_fn f, int ticks, const char *verdict)
{
	char *v = verdict_of(f, ticks);
	assert_string_equal(v, verdict);
	free(v);
}

/* Deterministic noise in [-1, 1]. */
static double noise(int k)
{
	uint32_t h = (uint32_t)k * 2654435761u;
	h ^= h >> 15;
	return (double)(h % 2001) / 1000.0 - 1.0;
}

#define HOUR_TICKS 360

/* In-flight buffers of normal use: up to 200 above a flat floor of 100. */
static double saw_fast(int k) { return 100 + (k % 7) * 30 + 3 * noise(k); }
/* A sawtooth slower than the window, so the floors themselves swing. */
static double saw_slow(int k) { return 100 + (k % 60) * 4 + 3 * noise(k); }
/* 1 object per 10,000 cycles (180 per hour at 500 cycles/s) under a sawtooth. */
static double slow_leak(int k) { return saw_fast(k) + (double)((int64_t)(k * TICK_S * CYCLES_PER_S) / 10000); }
/* A display-server restart leaves 50 objects behind once. */
static double step_once(int k) { return saw_fast(k) + (k > 150 ? 50 : 0); }
/* A burst of 5000 for one round, and a plateau of 500 for 8 minutes. */
static double spikes(int k) { return saw_fast(k) + (k == 100 ? 5000 : 0) + (k >= 200 && k < 248 ? 500 : 0); }

static void sawtooth_with_flat_floor_is_stable(void **state) { expect(saw_fast, 2 * HOUR_TICKS, "stable"); }
static void slow_sawtooth_is_stable(void **state) { expect(saw_slow, 2 * HOUR_TICKS, "stable"); }
static void slow_floor_rise_is_leaking(void **state) { expect(slow_leak, HOUR_TICKS, "leaking"); }
static void restart_step_is_stable(void **state) { expect(step_once, 2 * HOUR_TICKS, "stable"); }
static void spikes_are_stable(void **state) { expect(spikes, 2 * HOUR_TICKS, "stable"); }
/* Two windows' worth: no verdict either way yet. */
static void two_minutes_of_a_slow_leak_are_insufficient(void **state) { expect(slow_leak, 12, "insufficient-data"); }

static long long count_of(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	judge_all();
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	long long n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Runs one statement that returns no rows on the test database. */
static void exec_sql(const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Raw samples go after the retention time; the rollups, and so the
 * verdicts and slopes, stay. */
static void pruning_keeps_the_trends(void **state)
{
	char *v = verdict_of(slow_leak, HOUR_TICKS);
	free(v);
	static const char trend[] = "SELECT CAST(slope_per_kcycle * 1000 AS INTEGER) * 10 + (verdict = 'leaking')"
				    " FROM leak_trends WHERE metric = 'm'";
	long long before = count_of(trend);
	struct store *st;
	char err[256];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	int64_t deleted;
	assert_int_equal(store_prune_samples(st, T0 + 1800, &deleted), 0);
	store_close(st);
	assert_int_equal(deleted, 180); /* the ticks of the first half hour */
	assert_int_equal(count_of("SELECT COUNT(*) FROM samples"), HOUR_TICKS - 180);
	assert_int_equal(count_of("SELECT MIN(k.t) FROM samples s JOIN ticks k ON k.id = s.tick_id"), (long long)(T0 + 1800));
	assert_int_equal(count_of(trend), before);
	assert_true(before % 10 == 1); /* still leaking */
}


static double fabs_(double x) { return x < 0 ? -x : x; }

/* ---- exact slopes: a linear series must give its own slope ---- */

static void linear_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	/* The canary at 1 object per 37 cycles, and a counter of the cycles. */
	batch_put(b, "kept", (double)((int64_t)cycles / 37), "count");
	batch_put(b, "own_cycles", cycles, "count");
}

static void linear_series_give_their_exact_slope(void **state)
{
	write_run(linear_rounds, HOUR_TICKS, TICK_S, CYCLES_PER_S);
	struct trend kept = trend_of("kept"), own = trend_of("own_cycles");
	assert_true(fabs_(kept.robust - 1000.0 / 37) < 0.03);
	assert_true(fabs_(kept.slope - 1000.0 / 37) < 0.03);
	assert_true(fabs_(own.robust - 1000) < 1e-6);
	assert_true(fabs_(own.slope - 1000) < 1e-6);
}

/* ---- the demo: verdicts within 2 minutes, attributed ---- */

static bool jitter = true;
static double canary_c, share_c;

/* configs/demo.conf sampled every 5 s: the canary (400 cycles/s, 1 object
 * kept per 200 of its cycles) and flink-share (about 1000 cycles/s, less
 * steady unless jitter is off) share buffers in flight. */
static void demo_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	if (k == 0)
		canary_c = share_c = 0;
	else {
		canary_c += 5 * 400;
		share_c += 5 * 1000 * (jitter ? ((k / 4) % 2 ? 1.5 : 0.5) : 1); /* bursts, idles */
	}
	double in_flight = 20 + (k % 3) * 15 + 3 * noise(k + 7);
	double kept = (double)((int64_t)canary_c / 200);
	batch_put(b, "workload.canary.cycles", canary_c, "cycles");
	batch_put(b, "workload.flink-share.cycles", share_c, "cycles");
	batch_put(b, "gem.flink_names", kept + in_flight, "count");
	batch_put(b, "gem.names_held", kept + in_flight, "count");
	batch_put(b, "gem.names_unheld", 0, "count");
	/* A kernel-side leak: dma-bufs that no process holds any more. */
	double orphaned = (double)((int64_t)share_c / 500);
	batch_put(b, "dmabuf.objects", orphaned + in_flight, "count");
	batch_put(b, "dmabuf.orphaned", orphaned, "count");
	batch_put(b, "dmabuf.held", in_flight, "count");
	/* The negative control: in flight only. */
	batch_put(b, "gem.flink_bytes", 4096 * in_flight, "bytes");
}

static void demo_leak_is_found_within_two_minutes(void **state)
{
	jitter = true;
	write_run(demo_rounds, 25, 5, 1400); /* 0 .. 120 s */
	struct trend names = trend_of("gem.flink_names"), bufs = trend_of("dmabuf.objects");
	struct trend clean = trend_of("gem.flink_bytes");
	assert_string_equal(names.verdict, "leaking");
	assert_true(names.confidence >= 0.999);
	assert_string_equal(names.workload, "canary");
	assert_true(fabs_(names.workload_slope - 5.0) < 0.1); /* per 1000 canary cycles */
	assert_string_equal(names.holder, "process");
	assert_string_equal(bufs.verdict, "leaking");
	assert_string_equal(bufs.workload, "flink-share");
	assert_string_equal(bufs.holder, "kernel");
	assert_string_equal(clean.verdict, "stable");
	assert_true(clean.confidence >= 0.999);
}

/* Workloads at perfectly steady rates: their cycles cannot tell them
 * apart, and the view says so instead of guessing. */
static void collinear_workloads_are_not_guessed(void **state)
{
	jitter = false;
	write_run(demo_rounds, 25, 5, 1400);
	jitter = true;
	struct trend names = trend_of("gem.flink_names");
	assert_string_equal(names.verdict, "leaking");
	assert_string_equal(names.workload, "");
	assert_int_equal(count_of("SELECT COUNT(*) FROM leak_trends WHERE metric = 'gem.flink_names'"
				  " AND attribution = 'ambiguous'"), 1);
}

/* ---- series the floors alone cannot settle ---- */

static bool with_leak;

/* DRM clients during display-server restarts, sampled every second (one
 * restart per 1.25 s): none before the first server, then 2 (the server and
 * its client), 1 in the round that catches a restart, about every 5.8
 * rounds; with_leak: one client kept per restart. */
static void clients_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	double v = k == 0 ? 0 : (int)(k / 5.8) > (int)((k - 1) / 5.8) ? 1 : 2;
	batch_put(b, "drm.clients", v + (with_leak ? (double)(int64_t)cycles : 0), "count");
	batch_put(b, "workload.xorg.cycles", cycles, "cycles");
}

static void toggling_clients_are_stable(void **state)
{
	with_leak = false;
	write_run(clients_rounds, 77, 1, 0.8); /* 60 restarts */
	struct trend clean = trend_of("drm.clients");
	assert_string_equal(clean.verdict, "stable");
	assert_true(clean.confidence >= 0.999);
	teardown(state);
	with_leak = true;
	write_run(clients_rounds, 77, 1, 0.8);
	struct trend kept = trend_of("drm.clients");
	assert_string_equal(kept.verdict, "leaking");
	assert_true(fabs_(kept.robust - 1000) < 100); /* per 1000 restarts */
}

/* drm.clients as real runs recorded it (vm-xorg, rounds of 1 s, 60
 * restarts): none before the first server, then 2, and 1 in the rounds that
 * caught a restart, at no regular spacing; the second run's last window
 * caught none. with_leak: one client kept per restart. */
static const char *const recorded_clients[] = {
	"0222212222222112222212222222222212222221222221222221222222122222112222222",
	"022122221122221222212222112221222212222122221222222222122221222212222122222222",
};
static const char *clients_run;

static void recorded_clients_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	double v = clients_run[k] - '0';
	batch_put(b, "drm.clients", v + (with_leak ? (double)(int64_t)cycles : 0), "count");
	batch_put(b, "workload.xorg.cycles", cycles, "cycles");
}

static void recorded_clients_are_stable(void **state)
{
	for (size_t r = 0; r < sizeof(recorded_clients) / sizeof(recorded_clients[0]); r++) {
		clients_run = recorded_clients[r];
		int rounds = (int)strlen(clients_run);
		with_leak = false;
		write_run(recorded_clients_rounds, rounds, 1, 60.0 / (rounds - 1));
		struct trend clean = trend_of("drm.clients");
		teardown(state);
		with_leak = true;
		write_run(recorded_clients_rounds, rounds, 1, 60.0 / (rounds - 1));
		struct trend kept = trend_of("drm.clients");
		teardown(state);
		assert_string_equal(clean.verdict, "stable");
		assert_true(clean.confidence >= 0.999);
		assert_string_equal(kept.verdict, "leaking");
		assert_true(fabs_(kept.robust - 1000) < 100); /* per 1000 restarts */
	}
}

/* The rounds of a recorded 10 s run (prometheus.sh's leak, 150 cycles/s,
 * judged from 4 s and 4 windows on): 1 s apart give or take 7 ms, so that
 * with 2 s windows aligned on the first round one window holds a single
 * round (it swings 0); with_leak: one VMA kept per cycle. */
#define SHORT_RUN_THRESHOLDS "UPDATE trend_thresholds SET min_span_s = 4, min_windows = 4"

static const double recorded_ticks[] = { 0.0, 1.0006, 2.0041, 3.0073, 4.0068,
					 5.0086, 6.0042, 7.0105, 8.0063, 9.0064 };

static void vma_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	batch_put(b, "i915.vmas_ppgtt", with_leak ? (double)(int64_t)cycles : 12, "count");
	batch_put(b, "workload.context-churn.cycles", cycles, "cycles");
}

static void last_window_after_a_single_round_is_no_dip(void **state)
{
	int rounds = (int)(sizeof(recorded_ticks) / sizeof(recorded_ticks[0]));
	tick_times = recorded_ticks;
	with_leak = true;
	write_run(vma_rounds, rounds, 1, 150);
	exec_sql(SHORT_RUN_THRESHOLDS);
	struct trend leak = trend_of("i915.vmas_ppgtt");
	teardown(state);
	with_leak = false;
	write_run(vma_rounds, rounds, 1, 150);
	exec_sql(SHORT_RUN_THRESHOLDS);
	struct trend flat = trend_of("i915.vmas_ppgtt");
	tick_times = NULL;
	assert_string_equal(leak.verdict, "leaking");
	assert_true(fabs_(leak.robust - 1000) < 50); /* per 1000 cycles */
	assert_string_not_equal(flat.verdict, "leaking");
}

/* A 15-minute sawtooth (90 rounds of 10 s) at 100 cycles/s: an hour holds
 * 4 periods, no window that fits 4 times holds one; 1 object per 10,000
 * cycles on top of it (with_leak) is found by the period test. */
static void saw_15min_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	double v = 500 + 200 * (double)(k % 90) / 90.0 + 10 * (noise(k) + 1) / 2;
	batch_put(b, "m", (double)(int64_t)(v + (with_leak ? cycles * 1e-4 : 0)), "count");
}

static void slow_sawtooth_leak_by_its_period(void **state)
{
	with_leak = true;
	write_run(saw_15min_rounds, HOUR_TICKS + 1, TICK_S, 100);
	struct trend leak = trend_of("m");
	assert_string_equal(leak.verdict, "leaking");
	assert_true(leak.confidence >= 0.999);
	teardown(state);
	with_leak = false;
	write_run(saw_15min_rounds, HOUR_TICKS + 1, TICK_S, 100);
	assert_string_not_equal(trend_of("m").verdict, "leaking");
}

/* ---- the attribution probe: workloads paused in turn ---- */

#define PROBE_BLOCK 8 /* rounds: "a" paused in the first 2, "b" in rounds 4-5 */

static bool probe_by_a;
static double a_c, b_c;

/* Two workloads at the same steady rate (400 cycles/s), each paused for 2
 * rounds of every 8 in turn, so that their cycles stay in step; the leak
 * (1 object per 200 cycles) follows a's cycles (probe_by_a) or the two
 * together (then no pause stops it). */
static void probe_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	if (k == 0)
		a_c = b_c = 0;
	else {
		int ph = (k - 1) % PROBE_BLOCK;
		a_c += ph < 2 ? 0 : 5 * 400;
		b_c += ph == 4 || ph == 5 ? 0 : 5 * 400;
	}
	double in_flight = 20 + (k % 3) * 15;
	double kept = probe_by_a ? (double)((int64_t)a_c / 200) : (double)((int64_t)(a_c + b_c) / 400);
	batch_put(b, "workload.a.cycles", a_c, "cycles");
	batch_put(b, "workload.b.cycles", b_c, "cycles");
	batch_put(b, "gem.flink_names", kept + in_flight, "count");
}

/* The pauses of probe_rounds as gemsoakd records them (rounds 5 s apart). */
static void write_probe_pauses(int ticks)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO probe_pauses VALUES (1, ?1, ?2, ?3)", -1, &s, NULL),
			 SQLITE_OK);
	for (int k = 0; k + PROBE_BLOCK <= ticks; k += PROBE_BLOCK) {
		for (int w = 0; w < 2; w++) {
			/* the pause holds the 2 rounds after round k + 4w,
			 * in which that workload's counter stands still */
			double t0 = T0 + (k + 4 * w) * 5.0 + 0.5;
			sqlite3_bind_text(s, 1, w ? "b" : "a", -1, SQLITE_STATIC);
			sqlite3_bind_double(s, 2, t0);
			sqlite3_bind_double(s, 3, t0 + 10.0);
			assert_int_equal(sqlite3_step(s), SQLITE_DONE);
			sqlite3_reset(s);
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Steady rates: the regression cannot tell a from b, the probe can: the
 * growth stops while a is paused, not while b is; and when the growth
 * follows both, neither pause stops it and the attribution stays
 * ambiguous. */
/* gem.flink_names of 8 minutes of probe_rounds, the leak following a
 * (by_a) or both, with the probe's pauses recorded or not. */
static struct trend probe_trend(void **state, bool by_a, bool pauses)
{
	int ticks = 8 * 60 / 5;
	teardown(state);
	probe_by_a = by_a;
	write_run(probe_rounds, ticks, 5, 800);
	if (pauses)
		write_probe_pauses(ticks);
	return trend_of("gem.flink_names");
}

static void probe_names_the_workload_whose_pause_stops_the_growth(void **state)
{
	struct trend no_pauses = probe_trend(state, true, false);
	struct trend by_a = probe_trend(state, true, true);
	struct trend both = probe_trend(state, false, true);
	assert_string_equal(no_pauses.attribution, "ambiguous");
	assert_string_equal(by_a.verdict, "leaking");
	assert_string_equal(by_a.workload, "a");
	assert_string_equal(by_a.attribution, "probe");
	assert_true(fabs_(by_a.workload_slope - 5.0) < 0.5); /* per 1000 cycles of a */
	assert_string_equal(both.verdict, "leaking");
	assert_string_equal(both.workload, "");
	assert_string_equal(both.attribution, "ambiguous");
}

/* ---- 1 per 10,000 cycles at 100 cycles/s: leaking within an hour ---- */

static bool slow_with_leak;

static void slow_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	batch_put(b, "m", saw_fast(k) + (slow_with_leak ? (double)((int64_t)cycles / 10000) : 0), "count");
}

static void slowest_leak_within_an_hour(void **state)
{
	int found = 0;
	for (int minutes = 10; minutes <= 60 && !found; minutes += 10) {
		teardown(state);
		slow_with_leak = true;
		write_run(slow_rounds, minutes * 6 + 1, TICK_S, 100);
		if (strcmp(trend_of("m").verdict, "leaking") == 0)
			found = minutes;
	}
	print_message("    1 object per 10,000 cycles at 100 cycles/s: leaking after %d minutes\n", found);
	assert_true(found > 0 && found <= 60);
	teardown(state);
	slow_with_leak = false;
	write_run(slow_rounds, HOUR_TICKS + 1, TICK_S, 100);
	assert_string_equal(trend_of("m").verdict, "stable");
}

/* ---- the daemon's own footprint, judged apart ---- */

static double sqlite_top;

static void daemon_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	/* SQLite's cache filling towards its bound; a flat heap; an fd leak. */
	batch_put(b, "daemon.sqlite_kb", sqlite_top * t / (t + 600), "kB");
	batch_put(b, "daemon.heap_outside_sqlite_kb", 800 + 2 * noise(k), "kB");
	batch_put(b, "daemon.fds", 12 + k / 20, "count");
	batch_put(b, "mem.shmem_kb", 20000 + 10 * noise(k), "kB");
}

static void daemon_metrics_are_judged_apart(void **state)
{
	sqlite_top = 3000;
	write_run(daemon_rounds, HOUR_TICKS, TICK_S, CYCLES_PER_S);
	struct trend sq = trend_of("daemon.sqlite_kb"), heap = trend_of("daemon.heap_outside_sqlite_kb");
	struct trend fds = trend_of("daemon.fds");
	assert_string_equal(sq.verdict, "within-bound");
	assert_string_equal(heap.verdict, "stable");
	assert_string_equal(fds.verdict, "leaking"); /* reported, as a bug of ours */
	assert_string_equal(fds.scope, "daemon");
	assert_string_equal(trend_of("mem.shmem_kb").scope, "kernel");
	/* What `gemsoak trends` counts for its exit status: the kernel's. */
	assert_int_equal(count_of("SELECT COUNT(*) FROM leak_trends WHERE verdict = 'leaking' AND scope = 'kernel'"), 0);
	teardown(state);
	sqlite_top = 6000; /* past the 4096 kB bound */
	write_run(daemon_rounds, HOUR_TICKS, TICK_S, CYCLES_PER_S);
	assert_string_equal(trend_of("daemon.sqlite_kb").verdict, "over-bound");
}

/* ---- memory judged for what it is ---- */

static void memory_rounds(int k, double t, double cycles, struct metric_batch *b)
{
	/* Reclaimable slab filling through the run (mem.slab_kb, and the
	 * dma-buf and pseudo-filesystem inodes), its unreclaimable part and
	 * the files flat, GEM objects leaking 1 in 1000 cycles with their
	 * shmem inodes (a metric of the whole machine: judged with the DRM
	 * count that leaks with it, db/TRENDS.md "The machine's memory"). */
	batch_put(b, "mem.slab_kb", 22000 + k + 20 * noise(k), "kB");
	batch_put(b, "slab.inode_cache", 11000 + k / 2 + 5 * noise(k), "count");
	batch_put(b, "mem.sunreclaim_kb", 11000 + 20 * noise(k), "kB");
	batch_put(b, "slab.filp", 350 + 10 * noise(k), "count");
	batch_put(b, "slab.shmem_inode_cache", 600 + cycles / 1000 + 5 * noise(k), "count");
	batch_put(b, "gem.names_held", 20 + cycles / 1000 + 5 * noise(k), "count");
}

static void reclaimable_slab_is_not_judged(void **state)
{
	write_run(memory_rounds, HOUR_TICKS, TICK_S, CYCLES_PER_S);
	assert_string_equal(trend_of("mem.slab_kb").verdict, "not-assessed");
	assert_string_equal(trend_of("slab.inode_cache").verdict, "not-assessed");
	assert_string_not_equal(trend_of("mem.sunreclaim_kb").verdict, "leaking");
	assert_string_not_equal(trend_of("slab.filp").verdict, "leaking");
	assert_string_equal(trend_of("slab.shmem_inode_cache").verdict, "leaking");
	assert_string_equal(trend_of("gem.names_held").verdict, "leaking");
	assert_int_equal(count_of("SELECT COUNT(*) FROM leak_trends WHERE verdict = 'leaking' AND scope = 'kernel'"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sawtooth_with_flat_floor_is_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_sawtooth_is_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_floor_rise_is_leaking, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_step_is_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(spikes_are_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(two_minutes_of_a_slow_leak_are_insufficient, setup, teardown),
		cmocka_unit_test_setup_teardown(pruning_keeps_the_trends, setup, teardown),
		cmocka_unit_test_setup_teardown(linear_series_give_their_exact_slope, setup, teardown),
		cmocka_unit_test_setup_teardown(demo_leak_is_found_within_two_minutes, setup, teardown),
		cmocka_unit_test_setup_teardown(collinear_workloads_are_not_guessed, setup, teardown),
		cmocka_unit_test_setup_teardown(probe_names_the_workload_whose_pause_stops_the_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(toggling_clients_are_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(recorded_clients_are_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(last_window_after_a_single_round_is_no_dip, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_sawtooth_leak_by_its_period, setup, teardown),
		cmocka_unit_test_setup_teardown(slowest_leak_within_an_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(daemon_metrics_are_judged_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(reclaimable_slab_is_not_judged, setup, teardown),
	};
	return cmocka_run_group_tests_name("trends", tests, NULL, NULL);
}
