/* Window floors: a series cut into tumbling windows, and each window's
 * floor, the level normal use returns to (db/TRENDS.md, "Floors"). Pure
 * functions (analysis/analysis.h). */
#ifndef GS_ANALYSIS_FLOORS_H
#define GS_ANALYSIS_FLOORS_H

#include <stddef.h>

/* One point of a series (the view's trend_base): time t, the workloads'
 * cycles c, the lowest, highest and mean value lo, hi, mid, of cnt
 * samples (a raw sample has lo = hi = mid and cnt 1; a rollup holds
 * several). */
struct gs_point {
	double t, c, lo, hi, mid, cnt;
};

/* One window of a series (leak_trends' cw) and its floor (cf). */
struct gs_window {
	long i;                   /* (long)((t - t_first) / w) of its points */
	double vmin, vmax, vmean; /* the lowest lo, highest hi, mean mid */
	double t0, c0;            /* the lowest t and c of its points */
	size_t n;                 /* its points */
	double f;                 /* its floor (gs_floors) */
};

/* Cut pts (n points in time order, none before t_first) into windows of
 * w seconds from t_first, k sampling steps long, and keep those holding
 * at least k / 2 points (a run's first and last, those cut by an outage,
 * have no floor to speak of). out has room for n windows; returns the
 * number kept, in order. f is left 0. */
size_t gs_windows(const struct gs_point *pts, size_t n, double t_first, double w, int k,
		  struct gs_window *out);

/* Set the floor f of each of the nw windows (in order): between two
 * neighbours the median of their three minima (one window emptied by a
 * display-server restart does not pull it down; the middle of three
 * points of a line is the line); the first window its minimum (the run
 * starts there); the last one its minimum, unless that is a dip: it
 * swings more than twice as far as the larger swing of the two before
 * (swing1) and its minimum lies below the line through the two floors
 * before (f1, f2) by more than swing1; then the lower of f1 and that line
 * (needs three windows before it). */
void gs_floors(struct gs_window *win, size_t nw);

#endif
