/* The lows of a series (analysis/lows.h): the suffix minimum kept as its
 * records gives a finding's onset and levels as the direct reading of
 * every point does, on a known vector and on every prefix of long
 * series, points added, and the last one lowered as a minute rollup's. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "analysis/lows.h"

#define LEVELS 16

/* The direct reading: the suffix minimum of all n points, its onset (the
 * last point at or below a tenth of its rise) and its levels. */
static void direct(const double *t, const double *v, size_t n, double t0, double t1, double *onset, double *level)
{
	double *m = malloc(n * sizeof(*m));
	assert_non_null(m);
	for (size_t i = n; i-- > 0;)
		m[i] = i + 1 < n ? fmin(v[i], m[i + 1]) : v[i];
	size_t i = 0;
	while (i + 1 < n && m[i + 1] <= m[0] + (m[n - 1] - m[0]) / 10)
		i++;
	*onset = t[i];
	size_t k = 0;
	for (int j = 0; j < LEVELS; j++) {
		double tj = t0 + (t1 - t0) * j / (LEVELS - 1);
		while (k + 1 < n && t[k + 1] <= tj)
			k++;
		level[j] = m[k];
	}
	free(m);
}

/* 0, 5, 3, 4, 9, 8, 12 at t = 0..6: records 0 (t 0), 3 (t 2), 4 (t 3),
 * 8 (t 5), 12 (t 6); rise 12, so the onset is the last at or below 1.2:
 * t 0; the level at t 1 is 3 (the minimum from t 1 on). */
static void known_vector(void **state)
{
	static const double v[] = { 0, 5, 3, 4, 9, 8, 12 };
	struct gs_lows l = { 0 };
	for (int i = 0; i < 7; i++)
		assert_int_equal(gs_lows_add(&l, i, v[i]), 0);
	assert_int_equal(l.nsteps, 5);
	double onset, level[7];
	gs_lows_shape(&l, 0, 0, 6, &onset, level, 7);
	const double want[] = { 0, 3, 3, 4, 8, 8, 12 };
	for (int j = 0; j < 7; j++)
		assert_float_equal(level[j], want[j], 0);
	assert_float_equal(onset, 0, 0);
	/* lowered to 2, the last point drops 3, 4 and 8 from the records:
	 * the minimum from t 1 on is 2 */
	assert_int_equal(gs_lows_replace_last(&l, 2), 0);
	assert_int_equal(gs_lows_replace_last(&l, 3), 1);
	assert_int_equal(l.nsteps, 2);
	gs_lows_shape(&l, 0, 0, 6, &onset, level, 7);
	assert_float_equal(onset, 0, 0);
	assert_float_equal(level[1], 2, 0);
	assert_float_equal(level[6], 2, 0);
	assert_int_equal(gs_lows_add(&l, 5, 1), 1);
	gs_lows_free(&l);
}

/* Series of a sawtooth on a rising or flat floor with noise and ties:
 * at every prefix, the records give the direct reading's onset and
 * levels exactly; points are lowered now and then as a minute's minimum. */
static void records_read_as_every_point(void **state)
{
	enum { N = 3000 };
	static double t[N], v[N];
	size_t compared = 0, most = 0;
	srand(7);
	for (int series = 0; series < 6; series++) {
		struct gs_lows l = { 0 };
		double leak = series % 2 ? 0.05 : 0;
		for (size_t i = 0; i < N; i++) {
			t[i] = 10.0 * (double)i + (series == 5 && i % 7 == 0 && i > 0 ? -10 : 0); /* ties in t */
			v[i] = 100 + leak * (double)i + (double)(i % 17) + (double)(rand() % (series < 4 ? 5 : 1));
			assert_int_equal(gs_lows_add(&l, t[i], v[i]), 0);
			if (i % 5 == 4) {
				v[i] -= (double)(rand() % 20); /* a minute's minimum falls */
				assert_int_equal(gs_lows_replace_last(&l, v[i]), 0);
			}
			if (i < 1 || (i % 37 != 0 && i != N - 1))
				continue;
			double o1, o2, l1[LEVELS], l2[LEVELS], t1 = t[i] + (series == 4 ? 25 : 0);
			gs_lows_shape(&l, 5, t[0] - 3, t1, &o1, l1, LEVELS);
			direct(t, v, i + 1, t[0] - 3, t1, &o2, l2);
			assert_float_equal(o1, o2 - 5, 0);
			for (int j = 0; j < LEVELS; j++)
				assert_float_equal(l1[j], l2[j], 0);
			compared++;
		}
		most = l.nsteps > most ? l.nsteps : most;
		gs_lows_free(&l);
	}
	printf("%zu prefixes read alike from the records and from every point; at most %zu records of %d points\n",
	       compared, most, N);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vector),
		cmocka_unit_test(records_read_as_every_point),
	};
	return cmocka_run_group_tests_name("analysis-lows", tests, NULL, NULL);
}
