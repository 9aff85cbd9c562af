/* The numeric kernels of analysis/stats.h on published values and
 * examples worked by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "analysis/stats.h"

/* Phi(z) from tables of the standard normal distribution; the logistic
 * approximation is within about 1.4e-4 of it everywhere. */
static void normal_cdf_matches_published_values(void **state)
{
	static const struct { double z, phi; } table[] = {
		{ 0, 0.5 }, { 0.5, 0.691462 }, { 1, 0.841345 }, { 1.959964, 0.975 }, { 2.326348, 0.99 },
		{ 3.090232, 0.999 }, { -1.644854, 0.05 }, { -3.090232, 0.001 },
	};
	double worst = 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double d = fabs(gs_normal_cdf(table[i].z) - table[i].phi);
		worst = d > worst ? d : worst;
		assert_true(d < 1.5e-4);
	}
	printf("normal CDF: largest error %.2e on %zu published values\n", worst,
	       sizeof(table) / sizeof(table[0]));
	/* symmetric, and the deviates the view clamps to 8 give 0 and 1 */
	assert_float_equal(gs_normal_cdf(1.3) + gs_normal_cdf(-1.3), 1, 1e-12);
	assert_true(gs_normal_cdf(GS_Z_MAX) > 1 - 1e-12);
}

/* Student's t quantiles (one-sided 0.975, 0.99, 0.999) as normal
 * deviates: Wallace's approximation is within 0.01 from 5 degrees of
 * freedom on. */
static void t_to_z_matches_quantile_tables(void **state)
{
	static const struct { double t, df, z; } table[] = {
		{ 2.570582, 5, 1.959964 }, { 2.228139, 10, 1.959964 }, { 3.364930, 5, 2.326348 },
		{ 2.763262, 28, 2.575829 }, { 3.385185, 30, 3.090232 },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double z = gs_t_to_z(table[i].t, table[i].df);
		printf("t %.6f on %g df: z %.4f (table %.4f)\n", table[i].t, table[i].df, z, table[i].z);
		assert_float_equal(z, table[i].z, 0.01);
		assert_float_equal(gs_t_to_z(-table[i].t, table[i].df), -z, 1e-12);
	}
	assert_float_equal(gs_t_to_z(0, 7), 0, 1e-12);
	assert_float_equal(gs_t_to_z(1e9, 3), GS_Z_MAX, 1e-12);
	assert_float_equal(gs_t_to_z(-1e9, 3), -GS_Z_MAX, 1e-12);
}

/* y = 2 4 5 4 5 on x = 1..5: slope 0.6, r2 0.6, standard error
 * sqrt(0.8 / 10) (residual variance 2.4 / 3 over Sxx 10). */
static void ols_on_a_textbook_example(void **state)
{
	static const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 5, 4, 5 };
	struct gs_fit fit;
	gs_ols(x, y, 5, &fit);
	assert_float_equal(fit.slope, 0.6, 1e-12);
	assert_float_equal(fit.r2, 0.6, 1e-12);
	assert_float_equal(fit.se, sqrt(0.08), 1e-12);
	/* x that does not vary: no slope; y that does not: r2 0 */
	static const double same[] = { 3, 3, 3 }, flat[] = { 7, 7, 7 };
	gs_ols(same, y, 3, &fit);
	assert_true(isnan(fit.slope) && isnan(fit.r2) && isnan(fit.se));
	gs_ols(x, flat, 3, &fit);
	assert_float_equal(fit.slope, 0, 1e-12);
	assert_float_equal(fit.r2, 0, 1e-12);
	gs_ols(x, y, 2, &fit);
	assert_float_equal(fit.slope, 2, 1e-12);
	assert_true(isnan(fit.se));
}

/* Sen (1968), JASA 63: 1379, the example of his paper: 21 pair slopes,
 * median 4. */
static void theil_sen_on_sens_example(void **state)
{
	static const double t[] = { 1, 2, 3, 4, 10, 12, 18 }, y[] = { 9, 15, 19, 20, 45, 55, 78 };
	double scratch[21];
	double b = gs_theil_sen(t, y, 7, scratch);
	printf("Theil-Sen on Sen's example: %g\n", b);
	assert_float_equal(b, 4, 1e-12);
	/* an even number of pairs: the mean of the middle two */
	static const double x4[] = { 0, 1, 2, 3 }, y4[] = { 0, 1, 4, 9 }; /* slopes 1 2 3 3 4 5 */
	assert_float_equal(gs_theil_sen(x4, y4, 4, scratch), 3, 1e-12);
	/* pairs with equal x are not slopes */
	static const double xs[] = { 5, 5 }, ys[] = { 1, 2 };
	assert_true(isnan(gs_theil_sen(xs, ys, 2, scratch)));
}

/* Mann-Kendall "by hand" (College of the Holy Cross's worked example): 14
 * values, one pair of ties; S = 54, V = 14 13 33 / 18 - 2 1 9 / 18, and
 * Z = (S - 1) / sqrt(V) = 2.9058. */
static void mann_kendall_on_a_worked_example_with_ties(void **state)
{
	static const double y[] = { 12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3,
				    20.1, 21.7 };
	double x[14], scratch[14];
	size_t ties[14], ngroups;
	for (int i = 0; i < 14; i++)
		x[i] = i;
	long s = gs_mk_s(x, y, 14, 0);
	gs_tie_groups(y, 14, ties, &ngroups, scratch);
	double v = gs_mk_variance(14, ties, ngroups);
	double z = gs_z_continuity((double)s, v);
	printf("Mann-Kendall: S %ld, %zu tie group(s), V %.4f, Z %.4f\n", s, ngroups, v, z);
	assert_int_equal(s, 54);
	assert_int_equal(ngroups, 1);
	assert_int_equal(ties[0], 2);
	assert_float_equal(v, (14.0 * 13 * 33 - 2.0 * 1 * 9) / 18, 1e-9);
	assert_float_equal(z, 2.9058, 1e-4);
	/* without the ties' correction, as the view: a wider variance */
	assert_float_equal(gs_mk_variance(14, NULL, 0), 14.0 * 13 * 33 / 18, 1e-9);
	/* against a line of slope m: the signs of the pairs' slopes less m */
	static const double line[] = { 0, 1, 2, 3 };
	assert_int_equal(gs_mk_s(line, line, 4, 0), 6);
	assert_int_equal(gs_mk_s(line, line, 4, 2), -6);
	assert_int_equal(gs_mk_s(line, line, 4, 1), 0);
}

static void median_rules(void **state)
{
	static const double perm[6][3] = { { 1, 2, 3 }, { 1, 3, 2 }, { 2, 1, 3 }, { 2, 3, 1 }, { 3, 1, 2 }, { 3, 2, 1 } };
	for (int i = 0; i < 6; i++)
		assert_float_equal(gs_median3(perm[i][0], perm[i][1], perm[i][2]), 2, 0);
	/* Tukey's end-point rule: an edge on the line stays, one off it is
	 * pulled to the nearer of its neighbour and the line's value there */
	assert_float_equal(gs_tukey_endpoint(1, 2, 3), 1, 0);   /* on the line 1, 2, 3 */
	assert_float_equal(gs_tukey_endpoint(10, 2, 3), 2, 0);  /* a step up at the edge */
	assert_float_equal(gs_tukey_endpoint(-10, 2, 3), 0, 0); /* a dip: the line's 3 * 2 - 2 * 3 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normal_cdf_matches_published_values),
		cmocka_unit_test(t_to_z_matches_quantile_tables),
		cmocka_unit_test(ols_on_a_textbook_example),
		cmocka_unit_test(theil_sen_on_sens_example),
		cmocka_unit_test(mann_kendall_on_a_worked_example_with_ties),
		cmocka_unit_test(median_rules),
	};
	return cmocka_run_group_tests_name("analysis-stats", tests, NULL, NULL);
}
