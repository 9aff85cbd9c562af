#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probe.h"

/* The points of one pause (pause >= 0), or of one stretch outside all
 * pauses (pause -1, after: the end of the pause before it, NAN before
 * the first): their sums for a least-squares slope of lo on s. */
struct group {
	long pause;
	double after, n, s, l, sl, ss;
};

static struct group *group_of(struct group *g, size_t *ng, long pause, double after)
{
	for (size_t i = 0; i < *ng; i++)
		if (g[i].pause == pause && (pause >= 0 || g[i].after == after || (isnan(g[i].after) && isnan(after))))
			return &g[i];
	g[*ng] = (struct group){ .pause = pause, .after = after };
	return &g[(*ng)++];
}

static void add(struct group *g, double s, double lo)
{
	g->n++, g->s += s, g->l += lo, g->sl += s * lo, g->ss += s * s;
}

/* The pooled rate of the groups of workload (NULL: outside all pauses);
 * NAN when their pooled spread of time is nil (leak_trends' pg, pr). */
static double rate_of(const struct group *g, size_t ng, const struct gs_pause *pauses, const char *workload)
{
	double sxy = 0, sxx = 0;
	for (size_t i = 0; i < ng; i++) {
		int outside = g[i].pause < 0;
		if (outside != (workload == NULL) || g[i].n < 2 ||
		    (workload && strcmp(pauses[g[i].pause].workload, workload) != 0))
			continue;
		double n = g[i].n, ms = g[i].s / n, ml = g[i].l / n;
		sxy += n * (g[i].sl / n - ms * ml);
		sxx += n * (g[i].ss / n - ms * ms);
	}
	return sxx > 1e-9 ? sxy / sxx : NAN;
}

/* Whether pause i is the first of its workload (to visit each once). */
static int first_of_workload(const struct gs_pause *pauses, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(pauses[j].workload, pauses[i].workload) == 0)
			return 0;
	return 1;
}

const char *gs_probe_workload(const struct gs_point *pts, size_t n, double t_first, const struct gs_pause *pauses,
			      size_t npauses, double min_per_s)
{
	struct group *g = malloc((2 * npauses + 1) * sizeof(*g));
	size_t ng = 0;
	if (!g)
		return NULL;
	for (size_t j = 0; j < n; j++) {
		double s = pts[j].t - t_first, after = NAN;
		int in_pause = 0;
		for (size_t i = 0; i < npauses; i++) {
			if (s >= pauses[i].s0 && s <= pauses[i].s1) {
				add(group_of(g, &ng, (long)i, 0), s, pts[j].lo);
				in_pause = 1;
			} else if (pauses[i].s1 < s && !(pauses[i].s1 <= after)) {
				after = pauses[i].s1;
			}
		}
		if (!in_pause)
			add(group_of(g, &ng, -1, after), s, pts[j].lo);
	}
	const char *named = NULL;
	double outside = rate_of(g, ng, pauses, NULL);
	int rated = 0, stopping = 0;
	for (size_t i = 0; i < npauses && !isnan(outside); i++) {
		if (!first_of_workload(pauses, i))
			continue;
		double rate = rate_of(g, ng, pauses, pauses[i].workload);
		if (isnan(rate))
			continue;
		rated++;
		if (rate < fmax(min_per_s, 0.25 * outside) && outside >= min_per_s) {
			stopping++;
			named = pauses[i].workload;
		}
	}
	free(g);
	return rated >= 2 && stopping == 1 ? named : NULL;
}
