#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lows.h"

/* The bucket widths old records are kept at (gs_lows_width), each
 * dividing the next. */
static const double width[] = { 60, 300, 900, 3600, 21600, 86400, 604800, 4 * 604800.0, 16 * 604800.0,
				 64 * 604800.0 };
#define NWIDTHS (sizeof(width) / sizeof(width[0]))

/* The end of the bucket of width w holding t. */
static double bucket_end(double t, double w)
{
	return (floor(t / w) + 1) * w;
}

double gs_lows_width(double t, double last)
{
	double w = 0;
	/* a bucket old enough at one width is at every narrower one */
	for (size_t i = 0; i < NWIDTHS && bucket_end(t, width[i]) + GS_LOWS_KEEP * width[i] <= last; i++)
		w = width[i];
	return w;
}

size_t gs_lows_most(double span, double interval)
{
	/* the points after last - (KEEP + 1) minutes are kept exactly */
	size_t n = (size_t)(fmin(span, (GS_LOWS_KEEP + 1) * width[0]) / interval) + 1;
	for (size_t i = 0; i < NWIDTHS; i++) {
		/* the buckets of span, and of width[i] only: their ends lie in
		 * (last - (KEEP + 1) width[i + 1], last - KEEP width[i]] */
		double in_span = floor(span / width[i]) + 2;
		double zone = i + 1 < NWIDTHS ? (GS_LOWS_KEEP + 1) * width[i + 1] / width[i] - GS_LOWS_KEEP : INFINITY;
		n += (size_t)fmin(in_span, zone);
	}
	return n;
}

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

/* Keep only the lowest (the first) record of each bucket old enough when
 * the last point is at last (gs_lows_width): the records after it in its
 * bucket are dropped, their steps joining its. O(records). */
static void coarsen(struct gs_lows *l, double last)
{
	size_t n = 0, i = 0;
	for (; i < l->nsteps; i++) {
		double w = gs_lows_width(l->step[i].t, last);
		if (w == 0)
			break; /* this record and every later one are kept exactly */
		if (n > 0 && floor(l->step[n - 1].t / w) == floor(l->step[i].t / w))
			continue;
		l->step[n++] = l->step[i];
	}
	if (n < i) {
		memmove(&l->step[n], &l->step[i], (l->nsteps - i) * sizeof(*l->step));
		l->nsteps -= i - n;
	}
}

/* Keep only the first of the records from time lo to before hi. */
static void keep_first(struct gs_lows *l, double lo, double hi)
{
	size_t a = 0, b = l->nsteps;
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (l->step[mid].t < lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (b = a; b < l->nsteps && l->step[b].t < hi; b++)
		;
	if (b > a + 1) {
		memmove(&l->step[a + 1], &l->step[b], (l->nsteps - b) * sizeof(*l->step));
		l->nsteps -= b - a - 1;
	}
}

/* The last point moves from time prev to last: coarsen the buckets that
 * became old enough in between, and only those (the others were when
 * their time came), each found in O(log records); all records when a gap
 * made more buckets old than there are records. */
static void coarsen_since(struct gs_lows *l, double prev, double last)
{
	for (size_t i = 0; i < NWIDTHS; i++) {
		/* a bucket ending at e is old enough from e + KEEP w on, a
		 * multiple of w: those in (prev, last] */
		double w = width[i], first = (floor(prev / w) + 1) * w, end = floor(last / w) * w;
		if (first > end)
			break; /* none at this width, so none at a wider one */
		if ((end - first) / w >= (double)l->nsteps) {
			coarsen(l, last);
			return;
		}
		for (double c = first; c <= end; c += w)
			keep_first(l, c - (GS_LOWS_KEEP + 1) * w, c - GS_LOWS_KEEP * w);
	}
}

int gs_lows_add(struct gs_lows *l, double t, double v)
{
	if (l->points > 0 && t < l->t_last)
		return 1;
	if (reserve(l))
		return -1;
	/* Buckets become old enough only at the start of a minute (their
	 * widths and ages are whole minutes); coarsened before the point is
	 * pushed, so that replace_last lowering it gives the same records as
	 * the lower value added at first. */
	if (l->points > 0)
		coarsen_since(l, l->t_last, t);
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
