/* The verdict on one series of one run: the floor window chosen from the
 * data, the fits on its floors, Student's t, Theil-Sen and both
 * Mann-Kendall tests, the period test, the verdict and its confidence
 * (db/TRENDS.md). Attribution and holders, which need the run's other
 * series, are in analysis/run.h. */
#ifndef GS_ANALYSIS_SERIES_H
#define GS_ANALYSIS_SERIES_H

#include <stddef.h>

#include "analysis/floors.h"
#include "analysis/period.h"

enum gs_verdict {
	GS_VERDICT_NONE,          /* not judged (no window fits the run) */
	GS_NOT_ASSESSED,          /* a counter, not assessed */
	GS_WITHIN_BOUND,
	GS_OVER_BOUND,
	GS_INSUFFICIENT_DATA,
	GS_STABLE,
	GS_LEAKING,
};

/* A leak judged on cycles raises the floor in both halves of the work
 * (the judged windows split at the middle of their cycles) by at least
 * this many steps of the series' resolution (db/TRENDS.md, "Halves of the work"). */
#define GS_HALF_STEPS 1.5

/* The verdict's name as leak_trends spells it ("leaking", ...). */
const char *gs_verdict_name(enum gs_verdict v);

/* What judging a series needs besides its points: the run's (trend_runs),
 * the series' threshold row (metric_thresholds) and settings. */
struct gs_series_params {
	double started, t_first, t_mid, span, step; /* the run's; step: its points' spacing */
	int by_cycles;          /* the verdict's axis u: cycles (1) or seconds since started (0) */
	int halves_by_time;     /* split the halves at t_mid even on cycles (a late onset's: the cycles
				 * of its workload are 0 before it started) */
	double m;               /* the threshold slope per unit of u; NAN without a threshold row */
	int assess;             /* 0: a counter, not assessed */
	int has_bound;          /* judged against `bound`, not as a leak */
	double bound;           /* the bound_setting's value (NAN when the setting is missing) */
	double min_windows, min_span_s, min_r2, min_half_ratio;
	double conf, swing_max; /* trend_settings: confidence, window_swing_max */
	const long *steps;      /* trend_window_steps, ascending */
	size_t nsteps;
	/* NULL, or one search per step (nsteps) kept by the caller between
	 * judgements of these points (struct gs_window_search) */
	struct gs_window_search *search;
};

/* The swing ratio's running sums over a window length's floors
 * (leak_trends' sw). */
struct gs_swing_sums {
	double rough, swing, step, d1sum, mu, muu, mf, mff, muf;
};

/* The search for the floor window, at one window length, kept between
 * judgements of a series that grows at its end, so that a judgement cuts
 * only the points of the windows still open: the swing ratio's sums over
 * the windows whose floors no later point can change, and the last few
 * closed windows, whose floors the next ones need. Its size does not
 * grow with the series. Zero it to start; when the caller replaces or
 * inserts point j, gs_window_search_changed(search, j). The same ratios
 * as a search over every window, to the last bit. */
#define GS_SEARCH_TAIL 5
struct gs_window_search {
	double t_first, w, started;
	int k, by_cycles;
	size_t valid;             /* the points known unchanged since the last judgement */
	size_t a;                 /* the points of the closed windows: pts[0] to pts[a - 1] */
	long i_open;              /* the index of the first window not closed */
	size_t nclosed;           /* the closed windows (gs_windows' rule) */
	size_t nsummed;           /* the windows whose terms are in sums */
	struct gs_swing_sums sums;
	struct gs_window tail[GS_SEARCH_TAIL]; /* closed windows nclosed - ntail to nclosed - 1 */
	size_t ntail;
};

void gs_window_search_changed(struct gs_window_search *search, size_t j);

/* How far the floors of the n points cut into windows of the s-th length
 * of p->steps follow the sawtooth (db/TRENDS.md, "The window is found
 * from the data"): the smaller of their mean |second difference| and
 * their spread around their line, over the mean swing inside a window;
 * 0 for a counter that only grows; NAN with fewer than 4 windows.
 * Through p->search[s] when p has searches. w is room for
 * n + GS_SEARCH_TAIL windows. */
double gs_window_ratio(const struct gs_point *pts, size_t n, const struct gs_series_params *p, size_t s,
		       struct gs_window *w);

struct gs_series_result {
	/* of the points (leak_trends' pm) */
	size_t points;
	double samples, t_first, t_last, vmax;
	/* the chosen window (ch); k 0 when none: the rest is NAN or 0 */
	long k;
	double w;
	size_t windows;
	double floor_per_hour, floor_per_kcycle, mean_per_hour, mean_per_kcycle; /* fit, of every window */
	/* the tests read the windows from warm_up on: after the run's warm-up
	 * (db/TRENDS.md, "Warm-up"), 0 when none was found; the halves are
	 * those of these windows */
	size_t warm_up;
	double bu, r2, se, u_slope1, u_slope2, unit;                            /* fit, st */
	double steps1, steps2;  /* each half of the work: its rise in steps of the resolution (NAN: not
				 * tested) */
	double p_up;            /* cv: confidence that the slope is above m */
	double u_slope;         /* ts: Theil-Sen on u */
	double p_below;         /* mk: the more confident Mann-Kendall test for below m */
	struct gs_period period; /* pd*: p_per NAN when not tested */
	int rising;             /* the judged floors still rise: never stable (db/TRENDS.md, "Late onsets") */
	enum gs_verdict verdict0, verdict;
	double confidence;      /* of the verdict, NAN when it has none */
};

/* Judge the n points of one series (in time order, none before
 * params->t_first) into *res. The chosen windows are left in wins (room
 * for n windows; *nwins gets their number) for the attribution.
 * Allocates its working memory: 0, or -1 when out of memory. */
int gs_judge_series(const struct gs_point *pts, size_t n, const struct gs_series_params *params,
		    struct gs_series_result *res, struct gs_window *wins, size_t *nwins);

#endif
