#include <math.h>
#include <stdlib.h>

#include "analysis/lows.h"

/* Room for one more record; 0 or -1. */
static int reserve(struct gs_lows *l)
{
	if (l->nsteps < l->cap)
		return 0;
	size_t cap = l->cap ? 2 * l->cap : 16;
	struct gs_low_step *n = realloc(l->step, cap * sizeof(*n));
	if (!n)
		return -1;
	l->step = n;
	l->cap = cap;
	return 0;
}

/* Push (t, v) as the last record, its step starting at s, after dropping
 * the records it is not above (they are no longer below every later
 * point; the new record's step takes theirs over). Room is reserved. */
static void push(struct gs_lows *l, double s, double t, double v)
{
	while (l->nsteps > 0 && l->step[l->nsteps - 1].v >= v)
		s = l->step[--l->nsteps].s;
	l->step[l->nsteps++] = (struct gs_low_step){ s, t, v };
}

int gs_lows_add(struct gs_lows *l, double t, double v)
{
	if (l->points > 0 && t < l->t_last)
		return 1;
	if (reserve(l))
		return -1;
	push(l, t, t, v);
	if (l->points++ == 0)
		l->t_first = t;
	l->t_last = t;
	return 0;
}

int gs_lows_replace_last(struct gs_lows *l, double v)
{
	if (l->points == 0 || v > l->step[l->nsteps - 1].v)
		return 1;
	/* the points the old value dropped are not below the new one either */
	struct gs_low_step last = l->step[--l->nsteps];
	push(l, last.s, last.t, v);
	return 0;
}

void gs_lows_free(struct gs_lows *l)
{
	free(l->step);
	*l = (struct gs_lows){ 0 };
}

size_t gs_lows_bytes(const struct gs_lows *l)
{
	return l->cap * sizeof(*l->step);
}

/* The record whose step holds the last point at or before t: the last
 * whose step starts at or before t, the first when none does. */
static size_t step_at(const struct gs_lows *l, double t)
{
	size_t lo = 0, hi = l->nsteps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->step[mid].s <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? lo - 1 : 0;
}

void gs_lows_shape(const struct gs_lows *l, double started, double t0, double t1, double *onset, double *level,
		   int nlevels)
{
	*onset = NAN;
	for (int j = 0; j < nlevels; j++)
		level[j] = NAN;
	if (l->points < 2)
		return;
	double v0 = l->step[0].v, rise = l->step[l->nsteps - 1].v - v0;
	/* the last record at or below the tenth of the rise: v rise strictly */
	size_t lo = 0, hi = l->nsteps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->step[mid].v <= v0 + rise / 10)
			lo = mid + 1;
		else
			hi = mid;
	}
	*onset = l->step[lo - 1].t - started;
	for (int j = 0; j < nlevels; j++)
		level[j] = l->step[step_at(l, t0 + (t1 - t0) * j / (nlevels - 1))].v;
}

const struct gs_lows *gs_lows_pick(const struct gs_lows *raw, const struct gs_lows *minutes, size_t min_minutes)
{
	double raw_first = raw->points ? raw->t_first : INFINITY;
	return minutes->points >= min_minutes && minutes->t_first < raw_first ? minutes : raw;
}
