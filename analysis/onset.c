#include <math.h>

#include "analysis/onset.h"

double gs_counter_start(const struct gs_point *ctr, size_t n)
{
	if (n == 0)
		return NAN;
	for (size_t j = n; j-- > 0;)
		if (ctr[j].lo <= 0)
			return ctr[j].t;
	return ctr[0].t;
}

long gs_onset_candidate(const double *starts, size_t n, double tol)
{
	long last = -1;
	for (size_t i = 0; i < n; i++)
		if (!isnan(starts[i]) && (last < 0 || starts[i] > starts[last]))
			last = (long)i;
	for (size_t i = 0; last >= 0 && i < n; i++)
		if ((long)i != last && starts[i] >= starts[last] - tol)
			return -1;
	return last;
}

size_t gs_on_counter_axis(const struct gs_point *pts, size_t n, const struct gs_point *ctr, size_t nc, double t0,
			  struct gs_point *out)
{
	size_t m = 0;
	double c0 = NAN;
	for (size_t b = 0; b < nc && isnan(c0); b++)
		if (ctr[b].t >= t0)
			c0 = ctr[b].lo;
	if (isnan(c0))
		return 0;
	for (size_t a = 0, b = 0; a < n;) {
		if (pts[a].t < t0) {
			out[m] = pts[a];
			out[m++].c = c0;
			a++;
		} else if (b >= nc) {
			break;
		} else if (pts[a].t < ctr[b].t) {
			a++;
		} else if (pts[a].t > ctr[b].t) {
			b++;
		} else {
			out[m] = pts[a];
			out[m++].c = ctr[b].lo;
			a++, b++;
		}
	}
	return m;
}

double gs_onset_share(const struct gs_point *pts, size_t n, const struct gs_point *ctr, size_t nc, double t0)
{
	double w0 = NAN, a0 = NAN, w1 = NAN, a1 = NAN;
	for (size_t a = 0, b = 0; a < n && b < nc;) {
		if (pts[a].t < ctr[b].t) {
			a++;
		} else if (pts[a].t > ctr[b].t) {
			b++;
		} else {
			if (pts[a].t >= t0 && isnan(w0))
				w0 = ctr[b].lo, a0 = pts[a].c;
			else if (pts[a].t >= t0)
				w1 = ctr[b].lo, a1 = pts[a].c;
			a++, b++;
		}
	}
	return isnan(w1) || !(a1 > a0) ? NAN : (w1 - w0) / (a1 - a0);
}
