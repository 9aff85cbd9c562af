/* The lowest level of a series from each point on: the level normal use
 * keeps returning to, which a sawtooth or noise does not move, read by a
 * finding for its onset and levels (analysis/findings-store.h). Kept as
 * the points below every later one ("records"): exactly over the last
 * (GS_LOWS_KEEP + 1) minutes, and before that as the lowest of them in
 * each bucket (gs_lows_width), so that the records a series keeps are
 * bounded whatever its length (gs_lows_most). A point is added in
 * amortised O(1), plus, for each bucket that comes of age with it (one a
 * minute, fewer at the wider widths), a binary search and a move of the
 * younger records; the shape is read in O(log records). Pure functions
 * (analysis/analysis.h); gs_lows_add and gs_lows_replace_last allocate. */
#ifndef GS_ANALYSIS_LOWS_H
#define GS_ANALYSIS_LOWS_H

#include <stddef.h>

/* A bucket of width W is kept as its lowest record once it ended this
 * many W before the last point: its records are then at most a
 * GS_LOWS_KEEP-th of their age apart from the one kept. */
#define GS_LOWS_KEEP 24

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

/* The width of the bucket a record at time t is kept at once the last
 * point is at time last: the widest of 60, 300, 900, 3600, 21600 (the
 * store's rollups among them), 86400, 604800 s and 4, 16 and 64 weeks
 * (each dividing the next, buckets starting at multiples of their width
 * as the rollups' do) whose bucket holding t ended at least GS_LOWS_KEEP
 * widths before last; 0 when none has (the record is kept exactly). */
double gs_lows_width(double t, double last);

/* The most records kept of points at least interval (> 0) seconds apart
 * over span seconds from the first to the last: the points of the last
 * (GS_LOWS_KEEP + 1) minutes, and one per bucket of each width before
 * them, at most 809 buckets narrower than 64 weeks whatever the span and
 * 2 + span / 64 weeks of that width. At 10 s: 422 at 1 day, 626 at 30
 * days, 696 at 90 days, 808 at a year (at 1 s, 1425 more). */
size_t gs_lows_most(double span, double interval);

/* Add the point (t, v) after every point added, t >= the last one's.
 * 0, 1 when t is earlier (the caller rebuilds from all points), -1 when
 * out of memory (l unchanged). The buckets that have become old enough
 * since the last point (gs_lows_width) keep only their lowest record.
 * The result depends only on the points added, in order. */
int gs_lows_add(struct gs_lows *l, double t, double v);

/* The last point's value becomes v (a minute rollup whose minimum fell
 * with another sample): 0; 1 when v is above its value or l has no point
 * (the records below it may have been dropped: the caller rebuilds). The
 * same lows as the point added with v at first. */
int gs_lows_replace_last(struct gs_lows *l, double v);

void gs_lows_free(struct gs_lows *l);

/* The heap l holds. */
size_t gs_lows_bytes(const struct gs_lows *l);

/* The onset and levels of the suffix minimum v' of the points: with
 * rise = v'(last) - v'(first), the onset is the t, less started, of the
 * last point whose v' is at most v'(first) + rise / 10; level[j] is v' at
 * the last point at or before t0 + (t1 - t0) j / (nlevels - 1) (the first
 * point when none is), j from 0 to nlevels - 1 (nlevels >= 2). All NAN
 * with fewer than 2 points. Exact where the records are (the last
 * (GS_LOWS_KEEP + 1) minutes); before, within the bucket kept: the onset
 * is that of the bucket's lowest record, up to its width earlier than
 * the exact one, never later; a level is v' at a kept bucket's lowest
 * record, never above the exact level nor below it by more than v'
 * rises from that record to the bucket's end. */
void gs_lows_shape(const struct gs_lows *l, double started, double t0, double t1, double *onset, double *level,
		   int nlevels);

/* The lows a finding reads of a metric: its minute rollups' minima when
 * they are at least min_minutes and start before its raw samples (a long
 * run's, pruned by retention), else its raw samples. */
const struct gs_lows *gs_lows_pick(const struct gs_lows *raw, const struct gs_lows *minutes, size_t min_minutes);

#endif
