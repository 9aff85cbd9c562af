/* The numeric kernels of the verdicts: the normal CDF, Student's t as a
 * normal deviate, least squares, Theil-Sen, Mann-Kendall and the median
 * rules of the floors. Pure functions (analysis/analysis.h). */
#ifndef GS_ANALYSIS_STATS_H
#define GS_ANALYSIS_STATS_H

#include <stddef.h>

/* Deviates are clamped to [-GS_Z_MAX, GS_Z_MAX]: beyond, the CDF is 0 or
 * 1 to double precision anyway. */
#define GS_Z_MAX 8.0

/* The standard normal CDF at z, by the logistic approximation
 * 1 / (1 + exp(-1.5976 z - 0.07056 z^3)) (Bowling et al. 2009; absolute
 * error about 1.4e-4 at most): leak_trends' cv, mk and pdv. */
double gs_normal_cdf(double z);

/* Student's t on df degrees of freedom (df >= 1) as the normal deviate of
 * the same tail, by Wallace's approximation
 * sign(t) (8 df + 1) / (8 df + 3) sqrt(df ln(1 + t^2 / df)), t^2 capped at
 * 1e12, the result clamped to +-GS_Z_MAX: leak_trends' zz. */
double gs_t_to_z(double t, double df);

/* The normal deviate of a sum of signs s with variance var (> 0), with
 * the continuity correction of a test for s above 0: (s - 1) / sqrt(var),
 * clamped to +-GS_Z_MAX. Mann-Kendall's z for S > 0 (its test for a fall
 * is gs_z_continuity(-S, var)); the period test's sign test. */
double gs_z_continuity(double s, double var);

/* Least squares of y on x over n points, from the means of x, y, x^2, y^2
 * and xy as the view's AVG()s: slope NAN when the variance of x is at most
 * 1e-9 (a vertical line); r2 NAN then, and 0 when y does not vary; se, the
 * slope's standard error from the residuals on n - 2 degrees of freedom,
 * NAN when n <= 2 or the slope is NAN. leak_trends' fit and st. */
struct gs_fit {
	double slope, r2, se;
};
void gs_ols(const double *x, const double *y, size_t n, struct gs_fit *fit);

/* Sort the n values of v in ascending order. */
void gs_sort(double *v, size_t n);

/* The Theil-Sen slope: the median of (y[j] - y[i]) / (x[j] - x[i]) over
 * the pairs i < j with x[j] > x[i] (the mean of the middle two when their
 * number is even); NAN when there is no such pair. scratch holds
 * n (n - 1) / 2 doubles. leak_trends' ts (on at most 32 floors). */
double gs_theil_sen(const double *x, const double *y, size_t n, double *scratch);

/* Mann-Kendall's S of y against the line of slope m: over the pairs
 * i < j with x[j] > x[i], the number whose slope is above m less the
 * number below it (m = 0 and x in time order: the classic S, the signs of
 * y[j] - y[i]). leak_trends' ts (s_all, s_edge). */
long gs_mk_s(const double *x, const double *y, size_t n, double m);

/* The variance of S under no trend for n values whose ties form ngroups
 * groups of tie_sizes[g] equal values:
 * (n (n - 1) (2n + 5) - sum t (t - 1) (2t + 5)) / 18. The view uses it
 * without ties (ngroups 0), which only narrows it. */
double gs_mk_variance(size_t n, const size_t *tie_sizes, size_t ngroups);

/* The tie groups of y (n values): *ngroups gets their number, tie_sizes
 * (n entries) their sizes; scratch holds n doubles. */
void gs_tie_groups(const double *y, size_t n, size_t *tie_sizes, size_t *ngroups, double *scratch);

/* The middle one of a, b and c: leak_trends' floor of a window between
 * two neighbours, max(min(a, b), min(max(a, b), c)). */
double gs_median3(double a, double b, double c);

/* Tukey's end-point rule for an edge value e with next values n1, n2
 * (inward): the median of e, n1 and the line through them, 3 n1 - 2 n2.
 * leak_trends' g (fe), for Mann-Kendall's second test. */
double gs_tukey_endpoint(double e, double n1, double n2);

#endif
