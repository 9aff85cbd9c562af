#include <math.h>
#include <stdlib.h>

#include "analysis/changepoint.h"
#include "analysis/series.h"
#include "analysis/stats.h"

const char *gs_verdict_name(enum gs_verdict v)
{
	switch (v) {
	case GS_NOT_ASSESSED: return "not-assessed";
	case GS_WITHIN_BOUND: return "within-bound";
	case GS_OVER_BOUND: return "over-bound";
	case GS_INSUFFICIENT_DATA: return "insufficient-data";
	case GS_STABLE: return "stable";
	case GS_LEAKING: return "leaking";
	case GS_VERDICT_NONE: break;
	}
	return NULL;
}

/* The axis value of a window: its first cycles, or seconds since start. */
static double axis(const struct gs_window *x, const struct gs_series_params *p)
{
	return p->by_cycles ? x->c0 : x->t0 - p->started;
}

/* Add the terms of windows j0 to j1 - 1 of nw to the swing ratio's sums;
 * w[j - b] is window j (those from j0 - 1 to j1 are there). */
static void swing_terms(struct gs_swing_sums *s, const struct gs_window *w, size_t b, size_t j0, size_t j1,
			size_t nw, const struct gs_series_params *p)
{
	for (size_t j = j0; j < j1; j++) {
		const struct gs_window *x = &w[j - b];
		double u = axis(x, p), f = x->f;
		s->swing += x->vmax - x->vmin;
		s->mu += u, s->muu += u * u, s->mf += f, s->mff += f * f, s->muf += u * f;
		if (j + 1 < nw) {
			s->step += fabs(x[1].f - f);
			s->d1sum += x[1].f - f;
		}
		if (j > 0 && j + 1 < nw)
			s->rough += fabs(x[-1].f + x[1].f - 2 * f);
	}
}

/* How far window k's floors follow the sawtooth (leak_trends' sw, swr),
 * from the sums over its nw windows: the smaller of their mean |second
 * difference| and their spread around their line, over the mean swing
 * inside a window; 0 for a counter that only grows (no sawtooth to
 * outlast). NAN when fewer than 4 windows. */
static double swing_ratio(struct gs_swing_sums s, size_t nw)
{
	if (nw < 4)
		return NAN;
	double n = (double)nw;
	s.rough /= n - 2, s.swing /= n, s.step /= n - 1;
	double drift = fabs(s.d1sum / (n - 1));
	s.mu /= n, s.muu /= n, s.mf /= n, s.mff /= n, s.muf /= n;
	if (s.swing <= 0)
		return 0;
	if (s.swing <= 1.1 * s.step && drift >= 0.5 * s.step)
		return 0;
	double vu = s.muu - s.mu * s.mu, vf = s.mff - s.mf * s.mf, c = s.muf - s.mu * s.mf;
	double spread = vu <= 1e-9 ? sqrt(fmax(vf, 0)) : sqrt(fmax(0, vf - c * c / vu));
	return fmin(s.rough, spread) / s.swing;
}

/* Cut the points into window k's windows and their floors; the number. */
static size_t windows_of(const struct gs_point *pts, size_t n, const struct gs_series_params *p, long k,
			 struct gs_window *w)
{
	size_t nw = gs_windows(pts, n, p->t_first, (double)k * p->step, (int)k, w);
	gs_floors(w, nw);
	return nw;
}

void gs_window_search_changed(struct gs_window_search *search, size_t j)
{
	if (j < search->valid)
		search->valid = j;
}

/* The swing ratio of window length k through its kept search c: the
 * closed windows kept in c->tail and the points from c->a on are cut into
 * windows w (room for n + GS_SEARCH_TAIL), window j at w[j - b]; c's sums
 * and those of the windows from c->nsummed on give the ratio. Then c
 * keeps what the next judgement needs. The windows from b + 1 on have
 * the floors gs_floors over all of them gives: b leaves at least two
 * windows before the first one summed, three before the last. */
static double searched_ratio(const struct gs_point *pts, size_t n, const struct gs_series_params *p, long k,
			     struct gs_window_search *c, struct gs_window *w)
{
	double wl = (double)k * p->step;
	if (!(c->t_first == p->t_first && c->w == wl && c->k == k && c->started == p->started &&
	      c->by_cycles == p->by_cycles && c->valid >= c->a &&
	      (c->valid >= n || (long)((pts[c->valid].t - p->t_first) / wl) >= c->i_open)))
		*c = (struct gs_window_search){ .t_first = p->t_first, .w = wl, .k = (int)k, .started = p->started,
						.by_cycles = p->by_cycles };
	size_t b = c->nclosed - c->ntail;
	for (size_t j = 0; j < c->ntail; j++)
		w[j] = c->tail[j];
	size_t m = c->ntail + gs_windows(pts + c->a, n - c->a, p->t_first, wl, (int)k, w + c->ntail);
	gs_floors(w, m);
	size_t nw = b + m;
	struct gs_swing_sums sums = c->sums;
	swing_terms(&sums, w, b, c->nsummed, nw, nw, p);
	double ratio = swing_ratio(sums, nw);
	/* every window but the one of the last point is closed; a window's
	 * terms are final once the two after it are closed */
	long i_open = n ? (long)((pts[n - 1].t - p->t_first) / wl) : c->i_open;
	size_t a = n, closed = m;
	while (a > c->a && (long)((pts[a - 1].t - p->t_first) / wl) == i_open)
		a--;
	while (closed > c->ntail && w[closed - 1].i >= i_open)
		closed--;
	size_t nclosed = b + closed, nsummed = nclosed >= 2 ? nclosed - 2 : 0;
	if (nsummed < c->nsummed)
		nsummed = c->nsummed;
	swing_terms(&c->sums, w, b, c->nsummed, nsummed, nw, p);
	size_t b2 = nsummed >= 3 ? nsummed - 3 : 0;
	c->ntail = nclosed - b2;
	for (size_t j = 0; j < c->ntail; j++)
		c->tail[j] = w[b2 - b + j];
	c->nclosed = nclosed, c->nsummed = nsummed, c->a = a, c->i_open = i_open, c->valid = n;
	return ratio;
}

double gs_window_ratio(const struct gs_point *pts, size_t n, const struct gs_series_params *p, size_t s,
		       struct gs_window *w)
{
	if (p->search)
		return searched_ratio(pts, n, p, p->steps[s], &p->search[s], w);
	size_t nw = windows_of(pts, n, p, p->steps[s], w);
	struct gs_swing_sums sums = { 0 };
	swing_terms(&sums, w, 0, 0, nw, nw, p);
	return swing_ratio(sums, nw);
}

/* The candidate k of trend_window_steps: those that fit the run four
 * times (k >= 2), or 1 when not even 2 does. */
static int candidate(long k, const struct gs_series_params *p)
{
	if (k >= 2)
		return (double)k * p->step * 4 <= p->span + 1e-6;
	return k == 1 && 2 * p->step * 4 > p->span + 1e-6;
}

/* leak_trends' ch: the shortest k whose ratio is at most swing_max, or
 * within 1.5 times the smallest; 0 when no k has 4 windows. w has room
 * for n + GS_SEARCH_TAIL windows. */
static long choose_window(const struct gs_point *pts, size_t n, const struct gs_series_params *p,
			  struct gs_window *w, double *ratios)
{
	double best = INFINITY;
	for (size_t s = 0; s < p->nsteps; s++) {
		ratios[s] = NAN;
		if (!candidate(p->steps[s], p))
			continue;
		ratios[s] = gs_window_ratio(pts, n, p, s, w);
		if (!isnan(ratios[s]))
			best = fmin(best, ratios[s]);
	}
	for (size_t s = 0; s < p->nsteps; s++)
		if (!isnan(ratios[s]) && ratios[s] <= fmax(p->swing_max, 1.5 * best))
			return p->steps[s];
	return 0;
}

/* The slope of y on x over n values from their means (leak_trends' fit),
 * times scale; NAN when x does not vary. */
static double slope_of(const double *x, const double *y, size_t n, double scale)
{
	struct gs_fit fit;
	gs_ols(x, y, n, &fit);
	return fit.slope * scale;
}

/* The slope of the floors on u over the windows of one half (those that
 * start before t_mid, or the others), from sums as the view's u_slope1
 * and u_slope2; NAN with fewer than 2 windows. */
static double half_slope(const struct gs_window *w, size_t nw, const struct gs_series_params *p, double t_mid,
			 int first)
{
	double n = 0, su = 0, suu = 0, suf = 0, sf = 0;
	for (size_t j = 0; j < nw; j++) {
		if ((w[j].t0 < t_mid) != first)
			continue;
		double u = axis(&w[j], p);
		n++, su += u, suu += u * u, suf += u * w[j].f, sf += w[j].f;
	}
	double d = n * suu - su * su;
	return n >= 2 && d > 1e-9 ? (n * suf - su * sf) / d : NAN;
}

/* Student's t of (bu - m) / se as leak_trends' zt and zz, as p_up (cv). */
static double p_up_of(double bu, double se, double m, double df)
{
	if (isnan(se) || isnan(bu) || isnan(m))
		return NAN;
	double t;
	if (se <= 1e-12 * fmax(fmax(fabs(bu), fabs(m)), 1e-12))
		t = bu > m ? 1e9 : bu < m ? -1e9 : 0;
	else
		t = (bu - m) / se;
	return gs_normal_cdf(gs_t_to_z(t, df));
}

/* The slopes of the chosen windows' floors and means on time and cycles
 * (leak_trends' agg, fit): what the whole run did. */
static void fit_floors(const struct gs_window *w, size_t nw, const struct gs_series_params *p,
		       struct gs_series_result *r, double *buf)
{
	double *x = buf, *c = buf + nw, *f = buf + 2 * nw, *y = buf + 3 * nw;
	for (size_t j = 0; j < nw; j++) {
		x[j] = w[j].t0 - p->started;
		c[j] = w[j].c0;
		f[j] = w[j].f;
		y[j] = w[j].vmean;
	}
	r->floor_per_hour = slope_of(x, f, nw, 3600);
	r->floor_per_kcycle = slope_of(c, f, nw, 1000);
	r->mean_per_hour = slope_of(x, y, nw, 3600);
	r->mean_per_kcycle = slope_of(c, y, nw, 1000);
}

/* The least-squares fit on u of the nw floors the tests read, and the
 * slopes of their halves before and after t_mid (leak_trends' fit, st,
 * cv). */
static void fit_tests(const struct gs_window *w, size_t nw, const struct gs_series_params *p, double t_mid,
		      struct gs_series_result *r, double *buf)
{
	double *u = buf, *f = buf + nw;
	for (size_t j = 0; j < nw; j++) {
		u[j] = axis(&w[j], p);
		f[j] = w[j].f;
	}
	struct gs_fit fit;
	gs_ols(u, f, nw, &fit);
	r->bu = fit.slope, r->r2 = fit.r2, r->se = fit.se;
	r->u_slope1 = half_slope(w, nw, p, t_mid, 1);
	r->u_slope2 = half_slope(w, nw, p, t_mid, 0);
	r->p_up = p_up_of(r->bu, r->se, p->m, (double)nw - 2);
}

/* The resolution of the n points: the smallest positive difference
 * between two of their lowest values (1 for a count, 4 for kB of pages);
 * NAN when they are all the same. buf holds n doubles. O(n log n): found
 * only for a series the other tests would call leaking. */
static double resolution(const struct gs_point *pts, size_t n, double *buf)
{
	for (size_t j = 0; j < n; j++)
		buf[j] = pts[j].lo;
	gs_sort(buf, n);
	double q = NAN;
	for (size_t j = 1; j < n; j++) {
		double d = buf[j] - buf[j - 1];
		if (d > 0 && !(d >= q))
			q = d;
	}
	return q;
}

/* The halves of the work (db/TRENDS.md, "Halves of the work"): on cycles, the nw
 * judged windows split where the cycles from the first window's to
 * c_last, the last point's, are half done, so that each half holds half
 * the work however the rate went; each half's rise, the least-squares
 * slope of its floors times the cycles it holds, in steps of the series'
 * resolution q. Left NAN on time, for a late onset (its workload's
 * cycles are 0 before it started: p->halves_by_time), and for a half of
 * fewer than 2 windows. buf holds 2 nw doubles. */
static void work_halves(const struct gs_window *w, size_t nw, const struct gs_series_params *p, double c_last,
			double q, struct gs_series_result *r, double *buf)
{
	if (!p->by_cycles || p->halves_by_time || nw == 0 || isnan(q))
		return;
	double *u = buf, *f = buf + nw;
	size_t s = 0;
	for (size_t j = 0; j < nw; j++) {
		u[j] = w[j].c0;
		f[j] = w[j].f;
		s += u[j] < (w[0].c0 + c_last) / 2;
	}
	struct gs_fit head, tail;
	gs_ols(u, f, s, &head);
	gs_ols(u + s, f + s, nw - s, &tail);
	/* the head holds the cycles up to the tail's first window, the tail
	 * those from it to the last point */
	if (s >= 2)
		r->steps1 = head.slope * ((s < nw ? u[s] : c_last) - u[0]) / q;
	if (nw - s >= 2)
		r->steps2 = tail.slope * (c_last - u[s]) / q;
}

/* The end of the run's warm-up (db/TRENDS.md, "Warm-up"): the MSER rule
 * of simulation output analysis, for a slope. Of the first windows d
 * from 0 to nw / 2 that leave at least 4 (and min_windows) floors after
 * them, the one from which the least-squares slope of the floors on u
 * has the smallest standard error (the first among equals); that d when
 * its standard error is less than half the whole run's, else 0 (a line
 * keeps its start: cutting it only loses floors). 0 with fewer than 8
 * windows. One pass over the floors from the last, by running sums of
 * the values less the first floor's. */
static size_t warm_up_end(const struct gs_window *w, size_t nw, const struct gs_series_params *p)
{
	size_t min_tail = p->min_windows > 4 ? (size_t)p->min_windows : 4, best_d = 0;
	if (nw < 8 || nw < 2 * min_tail)
		return 0;
	double n = 0, su = 0, sf = 0, suu = 0, sff = 0, suf = 0, best = INFINITY, whole = INFINITY;
	double u0 = axis(&w[0], p), f0 = w[0].f;
	for (size_t d = nw; d-- > 0;) {
		double u = axis(&w[d], p) - u0, f = w[d].f - f0;
		n++, su += u, sf += f, suu += u * u, sff += f * f, suf += u * f;
		if (d > nw / 2 || n < (double)min_tail)
			continue;
		double vuu = suu - su * su / n, vff = sff - sf * sf / n, vuf = suf - su * sf / n;
		if (!(vuu > 0))
			continue;
		double se2 = fmax(vff - vuf * vuf / vuu, 0) / (n - 2) / vuu; /* the slope's variance */
		if (se2 <= best)
			best = se2, best_d = d;
		if (d == 0)
			whole = se2;
	}
	return best < 0.25 * whole ? best_d : 0;
}

/* Theil-Sen and both Mann-Kendall tests on at most about 32 evenly spread
 * floors (leak_trends' g, pairs, ts, mk): the second reads the edge
 * floors through Tukey's end-point rule. */
static void trend_tests(const struct gs_window *w, size_t nw, const struct gs_series_params *p,
			struct gs_series_result *r, double *buf)
{
	size_t stride = nw / 32 + 1, n = 0;
	double *u = buf, *f = buf + nw, *fe = buf + 2 * nw, *scratch = buf + 3 * nw;
	for (size_t j = 0; j < nw; j += stride, n++) {
		u[n] = axis(&w[j], p);
		f[n] = fe[n] = w[j].f;
		if (nw >= 3 && j == 0)
			fe[n] = gs_tukey_endpoint(w[0].f, w[1].f, w[2].f);
		else if (nw >= 3 && j == nw - 1)
			fe[n] = gs_tukey_endpoint(w[j].f, w[j - 1].f, w[j - 2].f);
	}
	r->u_slope = gs_theil_sen(u, f, n, scratch);
	r->p_below = NAN;
	if (isnan(r->u_slope) || n < 4)
		return;
	double m = isnan(p->m) ? 0 : p->m;
	long s_all = isnan(p->m) ? 0 : gs_mk_s(u, f, n, m);
	long s_edge = isnan(p->m) ? 0 : gs_mk_s(u, fe, n, m);
	double var = gs_mk_variance(n, NULL, 0);
	r->p_below = fmax(gs_normal_cdf(gs_z_continuity((double)-s_all, var)),
			  gs_normal_cdf(gs_z_continuity((double)-s_edge, var)));
}

/* Whether the nw judged floors still rise (db/TRENDS.md, "Late onsets"):
 * split where two lines fit them best (gs_changepoint, at least 4 and
 * min_windows floors a part), the recent part rises faster than the one
 * before, with confidence that it rises at m or faster of conf over the
 * number of splits tried (1 - (1 - conf) / splits: the best of them was
 * picked). buf holds 2 nw doubles. */
static int still_rising(const struct gs_window *w, size_t nw, const struct gs_series_params *p, double *buf)
{
	double *u = buf, *f = buf + nw;
	for (size_t j = 0; j < nw; j++) {
		u[j] = axis(&w[j], p);
		f[j] = w[j].f;
	}
	size_t min_part = p->min_windows > 4 ? (size_t)p->min_windows : 4;
	struct gs_split sp;
	gs_changepoint(u, f, nw, min_part, min_part, &sp);
	if (sp.s == 0)
		return 0;
	struct gs_fit head, tail;
	gs_ols(u, f, sp.s, &head);
	gs_ols(u + sp.s, f + sp.s, nw - sp.s, &tail);
	double splits = (double)(nw - 2 * min_part + 1);
	return tail.slope > head.slope &&
	       p_up_of(tail.slope, tail.se, p->m, (double)(nw - sp.s) - 2) >= 1 - (1 - p->conf) / splits;
}

/* The period test on the points (leak_trends' pd0 to pdv). */
static void period_test(const struct gs_point *pts, size_t n, const struct gs_series_params *p,
			struct gs_series_result *r, double *buf, long *lbuf)
{
	double *u = buf, *lo = buf + n;
	for (size_t j = 0; j < n; j++) {
		u[j] = p->by_cycles ? pts[j].c : pts[j].t - p->started;
		lo[j] = pts[j].lo;
	}
	gs_period_test(u, lo, n, p->m, lbuf, &r->period);
}

/* leak_trends' v0 and v: the verdict on the floors, then the period
 * test's for what they leave undecided; and the final CASE for a series
 * without a window. A series whose floors still rise (still_rising)
 * is never stable (db/TRENDS.md, "Late onsets"). */
static void decide(const struct gs_series_params *p, struct gs_series_result *r)
{
	enum gs_verdict v;
	int enough = (double)r->windows >= p->min_windows && r->t_last - r->t_first >= p->min_span_s && r->k > 1;
	double m = p->m;
	if (!p->assess)
		v = GS_NOT_ASSESSED;
	else if (p->has_bound)
		v = r->vmax > p->bound ? GS_OVER_BOUND : GS_WITHIN_BOUND;
	else if (r->k == 0)
		v = GS_INSUFFICIENT_DATA;
	else if (!enough || isnan(r->p_up))
		v = GS_INSUFFICIENT_DATA;
	else if (r->p_up >= p->conf && (isnan(r->u_slope) ? 0 : r->u_slope) >= m &&
		 (isnan(r->r2) ? 0 : r->r2) >= p->min_r2 &&
		 (isnan(r->u_slope1) ? 0 : r->u_slope1) >= p->min_half_ratio * m &&
		 (isnan(r->u_slope2) ? 0 : r->u_slope2) >= p->min_half_ratio * m &&
		 !(r->steps1 <= GS_HALF_STEPS) && !(r->steps2 <= GS_HALF_STEPS))
		v = GS_LEAKING;
	else if ((1 - r->p_up >= p->conf || (isnan(r->p_below) ? 0 : r->p_below) >= p->conf) && !r->rising)
		v = GS_STABLE;
	else
		v = GS_INSUFFICIENT_DATA;
	r->verdict0 = r->verdict = v;
	if (r->k == 0)
		r->verdict0 = GS_VERDICT_NONE;
	if (v == GS_INSUFFICIENT_DATA && r->k > 0 && enough && 1 - r->p_up < p->conf &&
	    r->period.p_per >= p->conf && r->period.s1 > 0 && r->period.s2 > 0)
		r->verdict = GS_LEAKING;
	r->confidence = NAN;
	if (r->verdict == GS_LEAKING)
		r->confidence = r->verdict0 != GS_LEAKING ? r->period.p_per : r->p_up;
	else if (r->verdict == GS_STABLE)
		r->confidence = fmax(1 - r->p_up, isnan(r->p_below) ? 0 : r->p_below);
	else if (r->verdict == GS_INSUFFICIENT_DATA && r->k > 0)
		r->confidence = fmax(r->p_up, 1 - r->p_up);
}

int gs_judge_series(const struct gs_point *pts, size_t n, const struct gs_series_params *p,
		    struct gs_series_result *r, struct gs_window *wins, size_t *nwins)
{
	*r = (struct gs_series_result){ .points = n, .w = NAN, .floor_per_hour = NAN, .floor_per_kcycle = NAN,
					.mean_per_hour = NAN, .mean_per_kcycle = NAN, .bu = NAN, .r2 = NAN,
					.se = NAN, .u_slope1 = NAN, .u_slope2 = NAN, .steps1 = NAN, .steps2 = NAN, .p_up = NAN,
					.u_slope = NAN, .p_below = NAN, .period = { .p_per = NAN },
					.unit = p->by_cycles ? 1000 : 3600 };
	*nwins = 0;
	if (n == 0)
		return 0;
	r->t_first = r->t_last = pts[0].t;
	r->vmax = pts[0].hi;
	for (size_t j = 0; j < n; j++) {
		r->samples += pts[j].cnt;
		r->t_first = fmin(r->t_first, pts[j].t);
		r->t_last = fmax(r->t_last, pts[j].t);
		r->vmax = fmax(r->vmax, pts[j].hi);
	}
	/* 5 arrays of n doubles, or the pairs of 33 floors, whichever is more */
	size_t nd = 5 * n + 33 * 32 / 2 + 3 * 33;
	double *buf = malloc(nd * sizeof(*buf) + p->nsteps * sizeof(double));
	long *lbuf = malloc(n * sizeof(*lbuf));
	if (!buf || !lbuf) {
		free(buf);
		free(lbuf);
		return -1;
	}
	double *ratios = buf + nd;
	struct gs_window *sw = malloc((n + GS_SEARCH_TAIL) * sizeof(*sw));
	if (!sw) {
		free(buf);
		free(lbuf);
		return -1;
	}
	r->k = choose_window(pts, n, p, sw, ratios);
	free(sw);
	if (r->k > 0) {
		r->w = (double)r->k * p->step;
		r->windows = *nwins = windows_of(pts, n, p, r->k, wins);
		fit_floors(wins, r->windows, p, r, buf);
		/* the tests read the floors after the warm-up */
		size_t d = r->warm_up = warm_up_end(wins, r->windows, p);
		fit_tests(wins + d, r->windows - d, p, d ? (wins[d].t0 + r->t_last) / 2 : p->t_mid, r, buf);
		/* only where the fit would call it leaking: the resolution sorts */
		if (r->p_up >= p->conf)
			work_halves(wins + d, r->windows - d, p, pts[n - 1].c, resolution(pts, n, buf + 2 * n), r,
				    buf);
		trend_tests(wins + d, r->windows - d, p, r, buf);
		r->rising = still_rising(wins + d, r->windows - d, p, buf);
	}
	if (p->assess && !p->has_bound && !isnan(p->m))
		period_test(pts, n, p, r, buf, lbuf);
	decide(p, r);
	free(buf);
	free(lbuf);
	return 0;
}
