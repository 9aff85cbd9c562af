/* The changepoint of a series of floors: where two lines fit it best, so
 * that its recent part can be read on its own (db/TRENDS.md, "Late
 * onsets"). A pure function (analysis/analysis.h). */
#ifndef GS_ANALYSIS_CHANGEPOINT_H
#define GS_ANALYSIS_CHANGEPOINT_H

#include <stddef.h>

/* The best split of a series into a head and a tail. */
struct gs_split {
	size_t s;          /* the tail's first point; 0 when there is no split */
	double sse1, sse2; /* squared residuals about one line, and about two */
};

/* The split of the n points (u[j], f[j]) (u ascending) into a head
 * 0..s-1 of at least min_head points and a tail s..n-1 of at least
 * min_tail points that leaves the least sum of squared residuals sse2
 * about a least-squares line fitted to each part apart (the first such
 * s among equals); sse1 about one line through them all. A part whose u
 * does not vary fits its mean. s is 0 when n < min_head + min_tail,
 * min_tail < 3 or min_head is 0. O(n): running sums of the values less
 * the first point's, no allocation. */
void gs_changepoint(const double *u, const double *f, size_t n, size_t min_head, size_t min_tail,
		    struct gs_split *out);

#endif
