/* The changepoint of a series (analysis/changepoint.h) on vectors whose
 * best split is known. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "analysis/changepoint.h"

/* Flat at 3 for 6 points, then rising by 2 a step: the corner (point 5)
 * lies on both lines, so tails from 5 and from 6 fit exactly (sse2 0)
 * and the first, 5, is the split; the same shifted by 1e9 on u and
 * 1e8 on f (the cycles and bytes of a long run) gives the same split. */
static void flat_then_rising_splits_at_the_corner(void **state)
{
	double u[12], f[12], ub[12], fb[12];
	for (int j = 0; j < 12; j++) {
		u[j] = 10.0 * j;
		f[j] = j < 6 ? 3 : 3 + 2.0 * (j - 5);
		ub[j] = 1e9 + u[j];
		fb[j] = 1e8 + 4096 * f[j];
	}
	struct gs_split sp, big;
	gs_changepoint(u, f, 12, 4, 4, &sp);
	gs_changepoint(ub, fb, 12, 4, 4, &big);
	printf("flat then rising: split at %zu, sse1 %.3f, sse2 %.3g; shifted: split at %zu, sse2 / sse1 %.3g\n",
	       sp.s, sp.sse1, sp.sse2, big.s, big.sse2 / big.sse1);
	assert_int_equal(sp.s, 5);
	assert_true(sp.sse1 > 10);
	assert_true(sp.sse2 < 1e-9);
	assert_int_equal(big.s, 5);
	assert_true(big.sse2 < 1e-9 * big.sse1);
}

/* A line leaves nothing for a second line to explain. Too few points for
 * both parts: no split. */
static void a_line_and_too_few_points(void **state)
{
	double u[10], f[10];
	for (int j = 0; j < 10; j++)
		u[j] = j, f[j] = 5 + 0.5 * j;
	struct gs_split sp;
	gs_changepoint(u, f, 10, 4, 4, &sp);
	printf("a line: split at %zu, sse1 %.3g, sse2 %.3g\n", sp.s, sp.sse1, sp.sse2);
	assert_true(sp.sse1 < 1e-9 && sp.sse2 < 1e-9);
	gs_changepoint(u, f, 7, 4, 4, &sp);
	assert_int_equal(sp.s, 0);
	gs_changepoint(u, f, 10, 4, 2, &sp); /* a tail of 2 fits any line */
	assert_int_equal(sp.s, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flat_then_rising_splits_at_the_corner),
		cmocka_unit_test(a_line_and_too_few_points),
	};
	return cmocka_run_group_tests_name("analysis-changepoint", tests, NULL, NULL);
}
