/* The incremental judgement (analysis/run.h, gs_run_state): kept between
 * rounds, reading only what each round wrote, it gives the full
 * judgement's rows and findings at every round, through the run's change
 * of base (raw samples, then minute rollups, whose windows it keeps) and
 * a round written late. The findings' lows, kept in buckets once older
 * than 25 minutes (analysis/lows.h), are the same kept as read in full:
 * they depend only on the points, in order. */
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

#include "analysis/findings-store.h"
#include "analysis/run.h"
#include "db/store.h"
#include "tests/unit/tmp-db.h"

/* Round k (10 s apart) of a canary keeping one name every 400 of its 300
 * cycles/s under a sawtooth of 70 s, the sawtooth alone, and the canary's
 * cycles. */
static void write_round(struct store *st, int64_t run, int k)
{
	struct metric_batch b;
	batch_init(&b);
	double t = 10.0 * k, cycles = 300 * t, saw = (double)((k * 10) % 70);
	batch_put(&b, "gem.flink_names", 20 + saw + floor(cycles / 400), "count");
	batch_put(&b, "dmabuf.objects", 20 + saw, "count");
	batch_put(&b, "workload.canary.cycles", cycles, "count");
	assert_int_equal(store_samples(st, run, 1.7e9 + t, (uint64_t)cycles, &b), 0);
	batch_free(&b);
}

static int same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static int same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether two rows are the same in every column of leak_trends. */
static int same_row(const struct gs_trend_row *a, const struct gs_trend_row *b)
{
	const double x[] = { a->samples, a->span_s, a->first_value, a->last_value, a->slope_per_hour,
			     a->slope_per_kcycle, a->mean_per_hour, a->mean_per_kcycle, a->robust_slope, a->window_s,
			     a->r2, a->half1_slope, a->half2_slope, a->slope_per_kcycle_workload, a->confidence,
			     a->threshold, a->bound, a->max_value };
	const double y[] = { b->samples, b->span_s, b->first_value, b->last_value, b->slope_per_hour,
			     b->slope_per_kcycle, b->mean_per_hour, b->mean_per_kcycle, b->robust_slope, b->window_s,
			     b->r2, b->half1_slope, b->half2_slope, b->slope_per_kcycle_workload, b->confidence,
			     b->threshold, b->bound, b->max_value };
	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		if (!same_double(x[i], y[i]))
			return 0;
	return a->metric_id == b->metric_id && a->verdict == b->verdict && a->windows == b->windows &&
	       same_text(a->per, b->per) && same_text(a->workload, b->workload) && same_text(a->holder, b->holder) &&
	       same_text(a->attribution, b->attribution) && same_text(a->scope, b->scope);
}

/* The findings of rows a (na) from the state's lows and read in full:
 * assert the same; their number. */
static size_t compare_findings(sqlite3 *db, struct gs_run_state *st, const struct gs_trend_row *a, size_t na)
{
	char err[256];
	struct gs_finding *f, *g;
	size_t nf, ng;
	if (gs_findings_of_rows(db, 1, a, na, gs_run_state_lows(st), &f, &nf, err, sizeof(err)) ||
	    gs_findings_of_rows(db, 1, a, na, NULL, &g, &ng, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(nf, ng);
	for (size_t i = 0; i < nf; i++)
		if (!same_double(f[i].onset, g[i].onset) || strcmp(f[i].metrics, g[i].metrics) != 0 ||
		    strcmp(f[i].summary, g[i].summary) != 0)
			fail_msg("finding %zu: onset %g from the state, %g in full", i, f[i].onset, g[i].onset);
	free(f);
	free(g);
	return nf;
}

/* Judge run 1 from the state and in full; assert the same rows and
 * findings (*findings, may be NULL, counts them). The verdict of
 * gem.flink_names into leak (may be NULL). */
static size_t compare(struct gs_run_state *st, enum gs_verdict *leak, size_t *findings)
{
	sqlite3 *db;
	char err[256];
	struct gs_trend_row *a, *b;
	size_t na, nb;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (gs_run_state_judge(st, db, &a, &na, err, sizeof(err)) || gs_judge_run(db, 1, &b, &nb, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		if (!same_row(&a[i], &b[i]))
			fail_msg("%s: the state's row differs from the full judgement's", a[i].metric);
		if (leak && strcmp(a[i].metric, "gem.flink_names") == 0)
			*leak = a[i].verdict;
	}
	size_t nf = compare_findings(db, st, a, na);
	if (findings)
		*findings += nf;
	free(a);
	free(b);
	sqlite3_close(db);
	return na;
}

static long long base_of(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	long long base = db_int(db, "SELECT base FROM trend_runs WHERE run_id = 1");
	sqlite3_close(db);
	return base;
}

static void state_judges_as_the_full_judgement(void **state)
{
	struct store *st;
	char err[256];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run;
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	/* raw samples for the first 60 rounds, then minute rollups */
	assert_int_equal(store_set_setting(st, "raw_max_points", 60), 0);
	assert_int_equal(store_begin_run(st, 1.7e9, &ri, &run), 0);
	struct gs_run_state *js = gs_run_state_new(run);
	assert_non_null(js);
	size_t rounds = 0, rows = 0, findings = 0;
	long long bases[2] = { -1, -1 };
	enum gs_verdict leak = GS_VERDICT_NONE;
	int64_t pruned = 0;
	for (int k = 0; k < 360; k++) {
		if (k == 150)
			continue; /* written late, below */
		write_round(st, run, k);
		if (k == 155)
			write_round(st, run, 150);
		/* retention: the findings' lows go over to the minute rollups */
		if (k == 320)
			assert_int_equal(store_prune_samples(st, 1.7e9 + 1000, &pruned), 0);
		rows += compare(js, &leak, &findings);
		rounds++;
		bases[k >= 60] = base_of();
	}
	store_close(st);
	printf("%zu rounds (%lld samples pruned at round 320), %zu rows and %zu findings, each the same from the"
	       " state as in full; base %lld s then %lld s; gem.flink_names %s at the end; the state holds %zu"
	       " bytes\n", rounds, (long long)pruned, rows, findings, bases[0], bases[1], gs_verdict_name(leak),
	       gs_run_state_bytes(js));
	assert_true(pruned > 0);
	gs_run_state_free(js);
	assert_true(findings > 0);
	assert_int_equal(bases[0], 0);
	assert_int_equal(bases[1], 60);
	assert_int_equal(leak, GS_LEAKING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(state_judges_as_the_full_judgement, setup, teardown),
	};
	return cmocka_run_group_tests_name("analysis-state", tests, NULL, NULL);
}
