/* The lows of a series (analysis/lows.h): the suffix minimum kept as its
 * records gives a finding's onset and levels as the direct reading of
 * every point does over the recent part, and within the buckets it keeps
 * before, on a known vector and on every prefix of long series, points
 * added, and the last one lowered as a minute rollup's; the records stay
 * within their bound over 90 days. */
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

/* The direct reading of all n points: their suffix minimum m, the index
 * of the onset (the last point at or below a tenth of its rise) and, for
 * each level, the index of the last point at or before its instant. */
static void direct(const double *t, const double *v, size_t n, double t0, double t1, double *m, size_t *onset,
		   size_t *at)
{
	for (size_t i = n; i-- > 0;)
		m[i] = i + 1 < n ? fmin(v[i], m[i + 1]) : v[i];
	size_t i = 0;
	while (i + 1 < n && m[i + 1] <= m[0] + (m[n - 1] - m[0]) / 10)
		i++;
	*onset = i;
	size_t k = 0;
	for (int j = 0; j < LEVELS; j++) {
		double tj = t0 + (t1 - t0) * j / (LEVELS - 1);
		while (k + 1 < n && t[k + 1] <= tj)
			k++;
		at[j] = k;
	}
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

/* The widths records are kept at, by their bucket's end and age; the
 * bound on records at known spans. */
static void widths_and_bound(void **state)
{
	/* the minute [0, 60) ends at 60: old enough 24 minutes later */
	assert_float_equal(gs_lows_width(0, 60 + 24 * 60 - 1), 0, 0);
	assert_float_equal(gs_lows_width(59, 60 + 24 * 60), 60, 0);
	/* 5 minutes after 2 hours, an hour after 24 hours */
	assert_float_equal(gs_lows_width(0, 300 + 24 * 300), 300, 0);
	assert_float_equal(gs_lows_width(0, 3600 + 24 * 3600 - 1), 900, 0);
	assert_float_equal(gs_lows_width(1.7e9 + 5, 1.7e9 + 86400 * 400), 604800, 0);
	/* 25 minutes of 10 s points and at most 101 minutes, 51 buckets
	 * of 5 minutes and 76 of 15 minutes, 33 hours, ... */
	assert_int_equal(gs_lows_most(86400, 10), 422);
	assert_int_equal(gs_lows_most(30 * 86400, 10), 626);
	assert_int_equal(gs_lows_most(90 * 86400, 10), 696);
	assert_int_equal(gs_lows_most(90 * 86400, 1), 696 + 1350);
}

/* Series of a sawtooth on a rising or flat floor with noise, drops and
 * ties, at 10 s and 2 min: at every prefix, the records give the direct
 * reading's onset and levels exactly where they are kept exactly, and
 * within the bucket kept before (also after a gap of 3 days): the onset
 * at most its width earlier, never later; a level the suffix minimum at
 * a bucket's lowest record, at most the minimum's rise to the bucket's
 * end below the exact level, never above; points are lowered now and
 * then as a minute's minimum. */
static void records_read_within_their_buckets(void **state)
{
	enum { N = 3000 };
	static double t[N], v[N], m[N];
	size_t compared = 0, exact = 0, most = 0;
	double shift = 0, below = 0;
	srand(7);
	for (int series = 0; series < 8; series++) {
		struct gs_lows l = { 0 };
		double leak = series % 2 ? 0.05 : 0, step = series < 6 ? 10 : 120;
		for (size_t i = 0; i < N; i++) {
			t[i] = step * (double)i + (series == 5 && i % 7 == 0 && i > 0 ? -step : 0); /* ties in t */
			if (series == 7 && i >= 1500)
				t[i] += 3 * 86400; /* a gap: more buckets age at once than there are records */
			v[i] = 100 + leak * (double)i + (double)(i % 17) + (double)(rand() % (series < 4 ? 5 : 1));
			if (series >= 6 && i % 500 == 499)
				v[i] -= 40; /* a drop below part of what came before */
			assert_int_equal(gs_lows_add(&l, t[i], v[i]), 0);
			if (i % 5 == 4) {
				v[i] -= (double)(rand() % 20); /* a minute's minimum falls */
				assert_int_equal(gs_lows_replace_last(&l, v[i]), 0);
			}
			if (i < 1 || (i % 37 != 0 && i != N - 1))
				continue;
			double o1, l1[LEVELS], t0 = t[0] - 3, t1 = t[i] + (series == 4 ? 25 : 0), last = t[i];
			size_t on, at[LEVELS];
			gs_lows_shape(&l, 5, t0, t1, &o1, l1, LEVELS);
			direct(t, v, i + 1, t0, t1, m, &on, at);
			double w = gs_lows_width(o1 + 5, last);
			if (w == 0)
				assert_float_equal(o1 + 5, t[on], 0);
			assert_true(o1 + 5 <= t[on] && t[on] - (o1 + 5) < fmax(w, 1));
			shift = fmax(shift, t[on] - (o1 + 5));
			for (int j = 0; j < LEVELS; j++) {
				double exact_level = m[at[j]];
				/* the kept record read: the last point whose value is l1[j]
				 * and below every later one */
				size_t r = i + 1;
				while (r-- > 0 && !(v[r] == l1[j] && m[r] == l1[j]))
					;
				assert_true(r <= i);
				double wr = gs_lows_width(t[r], last), end = wr > 0 ? (floor(t[r] / wr) + 1) * wr : t[r];
				size_t e = r;
				while (e + 1 <= i && t[e + 1] < end)
					e++;
				assert_true(l1[j] <= exact_level && exact_level <= m[e]);
				if (wr == 0)
					assert_float_equal(l1[j], exact_level, 0);
				exact += l1[j] == exact_level;
				below = fmax(below, exact_level - l1[j]);
				compared++;
			}
		}
		most = l.nsteps > most ? l.nsteps : most;
		assert_true(l.nsteps <= gs_lows_most(t[N - 1] - t[0], step));
		gs_lows_free(&l);
	}
	printf("%zu levels read from the records, %zu of them exactly, the others at most %g below; onsets at most"
	       " %g s earlier; at most %zu records of %d points\n", compared, exact, below, shift, most, N);
}

/* A floor rising at every point of 90 days at 60 s, each point below
 * every later one: the records stay within the bound (129,600 without
 * the buckets), and the exact part is every point of the last 25
 * minutes. */
static void records_bounded_over_90_days(void **state)
{
	struct gs_lows l = { 0 };
	size_t n = 90 * 1440, most = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(gs_lows_add(&l, 1.7e9 + 60.0 * (double)i, (double)i), 0);
		most = l.nsteps > most ? l.nsteps : most;
	}
	size_t bound = gs_lows_most(60.0 * (double)(n - 1), 60);
	printf("%zu points, %zu records kept at the end, %zu at most (bound %zu), %zu bytes\n", n, l.nsteps, most,
	       bound, gs_lows_bytes(&l));
	assert_true(most <= bound);
	size_t recent = 0;
	for (size_t i = 0; i < l.nsteps; i++)
		recent += gs_lows_width(l.step[i].t, l.t_last) == 0;
	assert_int_equal(recent, 25);
	gs_lows_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vector),
		cmocka_unit_test(widths_and_bound),
		cmocka_unit_test(records_read_within_their_buckets),
		cmocka_unit_test(records_bounded_over_90_days),
	};
	return cmocka_run_group_tests_name("analysis-lows", tests, NULL, NULL);
}
