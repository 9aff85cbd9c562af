/* The period test: a sawtooth slower than any floor window that fits the
 * run still has a period, and the differences across one period cancel
 * it (db/TRENDS.md, "The period test"). A pure function
 * (analysis/analysis.h). */
#ifndef GS_ANALYSIS_PERIOD_H
#define GS_ANALYSIS_PERIOD_H

#include <stddef.h>

struct gs_period {
	long p;        /* the period in points; 0 when none was found */
	long nd;       /* differences x(j + p) - x(j) tested */
	long s, s1, s2; /* their signs against the threshold: all, first and second half */
	double p_per;  /* the sign test's confidence that they rise faster; NAN when untested */
};

/* The series lo (n points in time order) on the verdict's axis u, against
 * the threshold slope m per unit of u. The period p is the median (the
 * lower middle one) of the distances, in points, between the drops of more
 * than a quarter of the series' range; when p >= 2 and n >= 3 p, each
 * difference lo(j + p) - lo(j) with u(j + p) > u(j) is compared with
 * m (u(j + p) - u(j)) (j counted from 1, in the first half when
 * 2 j < n - p), and p_per = gs_normal_cdf(gs_z_continuity(s, nd)).
 * scratch holds n longs. Returns 1 when tested, 0 when not (p_per NAN).
 * leak_trends' pd0 to pdv. */
int gs_period_test(const double *u, const double *lo, size_t n, double m, long *scratch,
		   struct gs_period *out);

#endif
