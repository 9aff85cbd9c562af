#include <math.h>
#include <stdlib.h>

#include "analysis/period.h"
#include "analysis/stats.h"

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* The median distance between the drops of more than a quarter of the
 * range of lo; 0 when fewer than two drops. */
static long period_of(const double *lo, size_t n, long *gaps)
{
	if (n == 0)
		return 0;
	double lmin = lo[0], lmax = lo[0];
	for (size_t j = 1; j < n; j++) {
		lmin = fmin(lmin, lo[j]);
		lmax = fmax(lmax, lo[j]);
	}
	size_t ng = 0;
	long last = -1;
	for (size_t j = 1; j < n; j++) {
		if (!(lo[j] - lo[j - 1] < -0.25 * (lmax - lmin)))
			continue;
		if (last >= 0)
			gaps[ng++] = (long)j - last;
		last = (long)j;
	}
	if (ng == 0)
		return 0;
	qsort(gaps, ng, sizeof(*gaps), cmp_long);
	return gaps[(ng + 1) / 2 - 1];
}

int gs_period_test(const double *u, const double *lo, size_t n, double m, long *scratch,
		   struct gs_period *out)
{
	*out = (struct gs_period){ .p = period_of(lo, n, scratch), .p_per = NAN };
	long p = out->p;
	if (p < 2 || (long)n < 3 * p)
		return 0;
	for (long j = 1; j + p <= (long)n; j++) {
		double du = u[j + p - 1] - u[j - 1], dl = lo[j + p - 1] - lo[j - 1];
		if (!(du > 0))
			continue;
		int sg = (dl > m * du) - (dl < m * du);
		out->nd++;
		out->s += sg;
		if (2 * j < (long)n - p)
			out->s1 += sg;
		else
			out->s2 += sg;
	}
	if (out->nd == 0)
		return 0;
	out->p_per = gs_normal_cdf(gs_z_continuity((double)out->s, (double)out->nd));
	return 1;
}
