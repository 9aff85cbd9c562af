/* A late onset's kernels (analysis/onset.h) on vectors whose answers are
 * known: when a workload's counter started, which workload started last,
 * a series read on that workload's cycles, and the workload's share of
 * the cycles since. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "analysis/onset.h"

static struct gs_point at(double t, double c, double v)
{
	return (struct gs_point){ .t = t, .c = c, .lo = v, .hi = v, .mid = v, .cnt = 1 };
}

/* A counter that reads 0 until it runs starts at its last 0; one added by
 * a reload (first read at 11 cycles) at its first point; one read from
 * the run's start at that start; none without points. */
static void counter_starts(void **state)
{
	const struct gs_point waited[] = { at(0, 0, 0), at(10, 0, 0), at(20, 0, 0), at(30, 0, 5), at(40, 0, 10) };
	const struct gs_point added[] = { at(3600, 0, 11), at(3610, 0, 140), at(3620, 0, 260) };
	const struct gs_point from_start[] = { at(0, 0, 3), at(10, 0, 900) };
	double a = gs_counter_start(waited, 5), b = gs_counter_start(added, 3), c = gs_counter_start(from_start, 2);
	printf("counter starts: waited %.0f, added %.0f, from the start %.0f\n", a, b, c);
	assert_true(a == 20);
	assert_true(b == 3600);
	assert_true(c == 0);
	assert_true(isnan(gs_counter_start(added, 0)));
}

/* The latest start, unless another lies within tol of it. */
static void the_workload_that_started_last(void **state)
{
	const double one[] = { NAN, 0, 3600, 5 };
	const double together[] = { 0, 3600, 3605 };
	const double apart[] = { 0, 3600, 3590 };
	const double none[] = { NAN, NAN };
	long a = gs_onset_candidate(one, 4, 10), b = gs_onset_candidate(together, 3, 10);
	long c = gs_onset_candidate(apart, 3, 5), d = gs_onset_candidate(none, 2, 10);
	printf("candidates: %ld (one late), %ld (two 5 s apart, tol 10), %ld (10 s apart, tol 5), %ld (none)\n", a, b,
	       c, d);
	assert_int_equal(a, 2);
	assert_int_equal(b, -1);
	assert_int_equal(c, 1);
	assert_int_equal(d, -1);
	assert_int_equal(gs_onset_candidate(one, 0, 10), -1);
}

/* Points before the start take the counter's cycles at the start, those
 * after its cycles at the same time; a point the counter has no reading
 * for (t 40) is left out. A floor flat at 7, then 1 more per 100 of the
 * workload's cycles, lies on one line on that axis. Without the
 * counter's points there is no axis. */
static void a_series_on_the_workloads_cycles(void **state)
{
	const struct gs_point pts[] = { at(0, 0, 7), at(10, 500, 7), at(20, 1000, 7), at(30, 1500, 8),
					at(40, 2000, 9), at(50, 2500, 10) };
	const struct gs_point ctr[] = { at(20, 1000, 0), at(30, 1500, 100), at(50, 2500, 300) };
	struct gs_point out[6];
	size_t n = gs_on_counter_axis(pts, 6, ctr, 3, 20, out);
	printf("on the counter's axis: %zu points:", n);
	for (size_t j = 0; j < n; j++)
		printf(" (%.0f s, %.0f cycles, %.0f)", out[j].t, out[j].c, out[j].lo);
	printf("\n");
	assert_int_equal(n, 5);
	const double t[] = { 0, 10, 20, 30, 50 }, c[] = { 0, 0, 0, 100, 300 }, v[] = { 7, 7, 7, 8, 10 };
	for (size_t j = 0; j < n; j++) {
		assert_true(out[j].t == t[j]);
		assert_true(out[j].c == c[j]);
		assert_true(out[j].lo == v[j]);
		assert_true(out[j].lo == 7 + out[j].c / 100);
	}
	assert_int_equal(gs_on_counter_axis(pts, 6, ctr, 0, 20, out), 0); /* no counter: no axis */
}

/* All workloads run 100 cycles a round; the one that started at t 20
 * runs 25 of them (one round, t 40, read without it): its share of the
 * cycles since, 25 %. Without a counter reading after the start: none. */
static void the_workloads_share_of_the_cycles(void **state)
{
	const struct gs_point pts[] = { at(0, 0, 1), at(10, 100, 1), at(20, 200, 1), at(30, 300, 2),
					at(40, 400, 2), at(50, 500, 3) };
	const struct gs_point ctr[] = { at(20, 0, 0), at(30, 0, 25), at(50, 0, 75) };
	double share = gs_onset_share(pts, 6, ctr, 3, 20);
	printf("the workload's share of the cycles since it started: %.3f\n", share);
	assert_float_equal(share, 0.25, 1e-12);
	assert_true(isnan(gs_onset_share(pts, 6, ctr, 1, 20)));
	assert_true(isnan(gs_onset_share(pts, 6, ctr, 3, 60)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counter_starts),
		cmocka_unit_test(the_workload_that_started_last),
		cmocka_unit_test(a_series_on_the_workloads_cycles),
		cmocka_unit_test(the_workloads_share_of_the_cycles),
	};
	return cmocka_run_group_tests_name("analysis-onset", tests, NULL, NULL);
}
