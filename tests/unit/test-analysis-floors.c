/* Window floors (analysis/floors.h) and the period test
 * (analysis/period.h) on sawtooths whose floor and period are known. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "analysis/floors.h"
#include "analysis/period.h"

#define NPTS 240

/* A sawtooth sampled every second: it climbs by 1 a second for `period`
 * seconds and falls back to its floor, which rises by `leak` a second;
 * c counts 10 cycles a second. */
static void sawtooth(struct gs_point *p, size_t n, int period, double leak)
{
	for (size_t t = 0; t < n; t++) {
		double v = 5 + leak * (double)t + (double)(t % (size_t)period);
		p[t] = (struct gs_point){ .t = (double)t, .c = 10.0 * (double)t, .lo = v, .hi = v, .mid = v };
	}
}

/* Windows of two periods: every floor is the floor line at the window's
 * start, where the saw falls back. */
static void sawtooth_floors_are_its_floor(void **state)
{
	struct gs_point p[NPTS];
	struct gs_window w[NPTS];
	sawtooth(p, NPTS, 10, 0.01);
	size_t nw = gs_windows(p, NPTS, 0, 20, 20, w);
	gs_floors(w, nw);
	assert_int_equal(nw, NPTS / 20);
	double worst = 0;
	for (size_t j = 0; j < nw; j++) {
		double floor = 5 + 0.01 * w[j].t0;
		worst = fmax(worst, fabs(w[j].f - floor));
		assert_int_equal(w[j].i, (long)j);
		assert_int_equal(w[j].n, 20);
		assert_float_equal(w[j].c0, 10 * w[j].t0, 1e-9);
		assert_float_equal(w[j].vmax - w[j].vmin, 9 + 0.01 * 19, 1e-9);
	}
	printf("sawtooth of floor 5 + 0.01 t: %zu windows, largest floor error %.2e\n", nw, worst);
	assert_true(worst < 1e-9);
}

/* One window emptied by a restart (its minimum 0) does not pull its floor
 * down; a last window that ends in a dip takes the lower of the floor
 * before it and the line through the two before; a window with fewer
 * than half its points is dropped. */
static void restarts_and_short_windows(void **state)
{
	struct gs_point p[NPTS];
	struct gs_window w[NPTS];
	sawtooth(p, NPTS, 10, 0.01);
	p[105].lo = 0;            /* a restart inside window 5 */
	p[NPTS - 1].lo = -10;     /* and a deep one in the last window */
	size_t nw = gs_windows(p, NPTS - 11, 0, 20, 20, w); /* the last window: 9 points */
	assert_int_equal(nw, 11);
	gs_floors(w, nw);
	assert_float_equal(w[5].f, 5 + 0.01 * 80, 1e-9); /* the median: the window before's minimum */
	assert_float_equal(w[5].vmin, 0, 0);
	nw = gs_windows(p, NPTS, 0, 20, 20, w);
	gs_floors(w, nw);
	printf("last window's dip: minimum %g, floor %g (floors before %g, %g)\n", w[nw - 1].vmin, w[nw - 1].f,
	       w[nw - 3].f, w[nw - 2].f);
	/* f1 = median(-10, 7.0, 6.8), f2 = median(7.0, 6.8, 6.6): min(6.8, 2 f1 - f2) */
	assert_float_equal(w[nw - 1].f, 6.8, 1e-9);
	/* negative control: without the dip, the last floor is its minimum */
	sawtooth(p, NPTS, 10, 0.01);
	nw = gs_windows(p, NPTS, 0, 20, 20, w);
	gs_floors(w, nw);
	assert_float_equal(w[nw - 1].f, w[nw - 1].vmin, 0);
}

/* A sawtooth of period 30 points: the differences across one period are
 * the leak alone. A leak of 0.05 per second against a threshold of 0.02
 * is found in both halves; the same saw without the leak is not. */
static void period_test_finds_a_slow_sawtooths_leak(void **state)
{
	struct gs_point p[NPTS];
	double u[NPTS], lo[NPTS];
	long scratch[NPTS];
	struct gs_period leak, clean;
	sawtooth(p, NPTS, 30, 0.05);
	for (size_t j = 0; j < NPTS; j++)
		u[j] = p[j].t, lo[j] = p[j].lo;
	assert_int_equal(gs_period_test(u, lo, NPTS, 0.02, scratch, &leak), 1);
	sawtooth(p, NPTS, 30, 0);
	for (size_t j = 0; j < NPTS; j++)
		lo[j] = p[j].lo;
	assert_int_equal(gs_period_test(u, lo, NPTS, 0.02, scratch, &clean), 1);
	printf("period test: leaking saw p %ld, %ld pairs, s %ld (%ld, %ld), p_per %.6f; clean saw p %ld,"
	       " s %ld, p_per %.6f\n", leak.p, leak.nd, leak.s, leak.s1, leak.s2, leak.p_per, clean.p, clean.s,
	       clean.p_per);
	assert_int_equal(leak.p, 30);
	assert_int_equal(leak.nd, NPTS - 30);
	assert_int_equal(leak.s, NPTS - 30);
	assert_true(leak.s1 > 0 && leak.s2 > 0);
	assert_true(leak.p_per > 0.999);
	assert_int_equal(clean.p, 30);
	assert_int_equal(clean.s, -(NPTS - 30));
	assert_true(clean.p_per < 0.001);
	/* too few periods (n < 3 p), or no drops: not tested */
	assert_int_equal(gs_period_test(u, lo, 80, 0.02, scratch, &clean), 0);
	assert_true(isnan(clean.p_per));
	for (size_t j = 0; j < NPTS; j++)
		lo[j] = (double)j;
	assert_int_equal(gs_period_test(u, lo, NPTS, 0.02, scratch, &clean), 0);
	assert_int_equal(clean.p, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sawtooth_floors_are_its_floor),
		cmocka_unit_test(restarts_and_short_windows),
		cmocka_unit_test(period_test_finds_a_slow_sawtooths_leak),
	};
	return cmocka_run_group_tests_name("analysis-floors", tests, NULL, NULL);
}
