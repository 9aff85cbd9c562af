/* The attribution probe's verdict: which workload's pauses stop a leak
 * (db/TRENDS.md, "The probe"). A pure function (analysis/analysis.h). */
#ifndef GS_ANALYSIS_PROBE_H
#define GS_ANALYSIS_PROBE_H

#include <stddef.h>

#include "analysis/floors.h"

/* One pause of one workload, in seconds since the run's first tick: from
 * s0 to s1 (a pause still open ends at the run's last tick). */
struct gs_pause {
	char workload[64];
	double s0, s1;
};

/* The workload whose pauses stop the growth of a series (leak_trends' pz
 * to pa): each point (in time order) belongs to the pause it falls in
 * (s0 <= t - t_first <= s1), else to the stretch after the last pause
 * that ended before it; the growth rate of each workload's pauses, and
 * of the stretches outside them, is the least-squares slope of lo on
 * time pooled within the stretches of two points or more. A workload's
 * pauses stop it when their rate is below both min_per_s and a quarter
 * of the rate outside while that one is at least min_per_s. The
 * workload named is the only one whose pauses stop it, when there are
 * at least two workloads with rates; NULL otherwise (a pointer into
 * pauses). Allocates its working memory (NULL as well when out of it). */
const char *gs_probe_workload(const struct gs_point *pts, size_t n, double t_first, const struct gs_pause *pauses,
			      size_t npauses, double min_per_s);

#endif
