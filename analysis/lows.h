/* The lowest level of a series from each point on: the level normal use
 * keeps returning to, which a sawtooth or noise does not move, read by a
 * finding for its onset and levels (analysis/findings-store.h). Kept as
 * the points below every later one ("records"), so that a point is added
 * in amortised O(1) and the shape read in O(log records), whatever the
 * number of points. Pure functions (analysis/analysis.h); gs_lows_add and
 * gs_lows_replace_last allocate. */
#ifndef GS_ANALYSIS_LOWS_H
#define GS_ANALYSIS_LOWS_H

#include <stddef.h>

/* A record: the point at time t of value v, lower than every later
 * point, and s the time of the first point after the record before it
 * (its step of the suffix minimum holds the points from s to t). */
struct gs_low_step {
	double s, t, v;
};

struct gs_lows {
	struct gs_low_step *step; /* the records, in time order; their v rise strictly */
	size_t nsteps, cap;
	size_t points;            /* the points added */
	double t_first, t_last;   /* of the first and last point */
};

/* Add the point (t, v) after every point added, t >= the last one's.
 * 0, 1 when t is earlier (the caller rebuilds from all points), -1 when
 * out of memory (l unchanged). */
int gs_lows_add(struct gs_lows *l, double t, double v);

/* The last point's value becomes v (a minute rollup whose minimum fell
 * with another sample): 0; 1 when v is above its value or l has no point
 * (the records below it may have been dropped: the caller rebuilds). */
int gs_lows_replace_last(struct gs_lows *l, double v);

void gs_lows_free(struct gs_lows *l);

/* The heap l holds. */
size_t gs_lows_bytes(const struct gs_lows *l);

/* The onset and levels of the suffix minimum v' of the points: with
 * rise = v'(last) - v'(first), the onset is the t, less started, of the
 * last point whose v' is at most v'(first) + rise / 10; level[j] is v' at
 * the last point at or before t0 + (t1 - t0) j / (nlevels - 1) (the first
 * point when none is), j from 0 to nlevels - 1 (nlevels >= 2). All NAN
 * with fewer than 2 points. */
void gs_lows_shape(const struct gs_lows *l, double started, double t0, double t1, double *onset, double *level,
		   int nlevels);

/* The lows a finding reads of a metric: its minute rollups' minima when
 * they are at least min_minutes and start before its raw samples (a long
 * run's, pruned by retention), else its raw samples. */
const struct gs_lows *gs_lows_pick(const struct gs_lows *raw, const struct gs_lows *minutes, size_t min_minutes);

#endif
