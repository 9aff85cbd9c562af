/* A late onset and the workload that started it: when a workload's
 * cycle counter started, which workload started where a series' floors
 * change slope, and the series read on that workload's cycles from then
 * on (db/TRENDS.md, "Late onsets"). Pure functions (analysis/analysis.h). */
#ifndef GS_ANALYSIS_ONSET_H
#define GS_ANALYSIS_ONSET_H

#include <stddef.h>

#include "analysis/floors.h"

/* When the workload whose cycle counter the n points ctr are (in time
 * order, its cycles in lo) started: the t of the last point that reads 0
 * cycles (it had not run yet), else of its first point (it was added
 * then, as by a reload); NAN when n is 0. */
double gs_counter_start(const struct gs_point *ctr, size_t n);

/* The workload that started last, the candidate cause of a late onset:
 * the index of the latest of the n start times (NAN: none), or -1 when
 * there is none or another lies within tol of it (workloads started
 * together, by one reload, cannot be told apart). */
long gs_onset_candidate(const double *starts, size_t n, double tol);

/* The n points pts of a series (in time order) on the axis of one
 * workload's cycles, its counter ctr (nc points in time order, taken at
 * the same rounds) having started at t0: a point before t0 gets the
 * counter's cycles at t0 (the workload had not run), a point from t0 on
 * those of the counter's point of the same time, and is left out when
 * the counter has none. So a floor flat until the workload started and
 * rising with its cycles after lies on one line. None when the counter
 * has no point from t0 on. out has room for n points; returns how many
 * it got. */
size_t gs_on_counter_axis(const struct gs_point *pts, size_t n, const struct gs_point *ctr, size_t nc, double t0,
			  struct gs_point *out);

/* The workload's share of every workload's cycles since t0: its cycles
 * from t0 to the last point of its counter ctr (nc points in time order)
 * over the cycles of all (the c of the n points pts of a series, taken at
 * the same rounds) from t0 to the same time. A rate per cycle of the
 * workload times this share is the rate per cycle of all since t0. NAN
 * when the counter has no point after t0 that pts has too, or all
 * cycles did not grow. */
double gs_onset_share(const struct gs_point *pts, size_t n, const struct gs_point *ctr, size_t nc, double t0);

#endif
