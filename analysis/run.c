#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analysis/findings-store.h"
#include "analysis/onset.h"
#include "analysis/probe.h"
#include "analysis/run.h"
#include "common/util.h"

/* A trend_thresholds row. */
struct threshold {
	char pattern[128], scope[16], bound_setting[64];
	int assess, has_bound;
	double min_windows, min_span_s, min_per_kcycle, min_per_hour, min_r2, min_half_ratio;
};

/* One series of the run: its points, its chosen windows. */
struct series {
	int64_t metric_id;
	char name[METRIC_NAME_MAX];
	struct gs_point *pts;
	size_t n, cap;
	struct gs_window *wins;
	size_t nwins;
	struct gs_window_search *ws; /* the window search at each step (nws of them) */
	size_t nws;
	int by_cycles;
	double m;
	double min_per_s;       /* the threshold per hour, per second; NAN without one */
};

struct run_ctx {
	sqlite3 *db;
	int64_t run_id;
	double started, t_first, t_last, t_mid, span, step;
	int by_cycles;
	long base;
	double conf, swing_max, rss_ratio, share;
	long *steps;
	size_t nsteps;
	struct threshold *th;
	size_t nth;
	size_t maxn;            /* the most points of a series */
	struct series *ser;
	size_t nser, capser;
	struct gs_pause *pauses;
	size_t npauses;
	sqlite3_stmt *fl[2];    /* first_last's statements, for one judgement */
	char *err;
	size_t errlen;
};

static double col(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	snprintf(dst, len, "%s", t ? t : "");
}

/* Prepare sql on ctx's database with the run bound to ?1; NULL after
 * filling ctx->err. */
static sqlite3_stmt *prepare_run(struct run_ctx *c, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(c->err, c->errlen, "%s", sqlite3_errmsg(c->db));
		return NULL;
	}
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, c->run_id);
	return s;
}

/* Finish a statement stepped to its end: 0, or -1 with ctx->err. */
static int finish(struct run_ctx *c, sqlite3_stmt *s, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(c->err, c->errlen, "%s", sqlite3_errmsg(c->db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* trend_settings' value of key; NAN when missing. */
static double setting(sqlite3 *db, const char *key)
{
	sqlite3_stmt *s;
	double v = NAN;
	if (sqlite3_prepare_v2(db, "SELECT value FROM trend_settings WHERE key = ?", -1, &s, NULL) != SQLITE_OK)
		return NAN;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = col(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The run's row of trend_runs, the settings and the window steps. */
static int load_run(struct run_ctx *c)
{
	sqlite3_stmt *s = prepare_run(c, "SELECT started, t_first, t_mid, span, by_cycles, base, step, t_last"
				      " FROM trend_runs WHERE run_id = ?1");
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->started = col(s, 0), c->t_first = col(s, 1), c->t_mid = col(s, 2), c->span = col(s, 3);
		c->by_cycles = sqlite3_column_int(s, 4);
		c->base = sqlite3_column_int64(s, 5);
		c->step = col(s, 6);
		c->t_last = col(s, 7);
	} else if (rc == SQLITE_DONE) {
		snprintf(c->err, c->errlen, "run %lld is not in the database", (long long)c->run_id);
		sqlite3_finalize(s);
		return -1;
	}
	if (finish(c, s, rc))
		return -1;
	c->conf = setting(c->db, "confidence");
	c->swing_max = setting(c->db, "window_swing_max");
	c->rss_ratio = setting(c->db, "attribution_rss_ratio");
	c->share = setting(c->db, "holder_share");
	if (!(s = prepare_run(c, "SELECT k FROM trend_window_steps ORDER BY k")))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long *n = realloc(c->steps, (c->nsteps + 1) * sizeof(*n));
		if (!n)
			break;
		c->steps = n;
		c->steps[c->nsteps++] = sqlite3_column_int64(s, 0);
	}
	return finish(c, s, rc);
}

static int load_thresholds(struct run_ctx *c)
{
	sqlite3_stmt *s = prepare_run(c, "SELECT pattern, assess, min_windows, min_span_s, min_per_kcycle,"
				      " min_per_hour, min_r2, min_half_ratio, scope, bound_setting FROM trend_thresholds");
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct threshold *n = realloc(c->th, (c->nth + 1) * sizeof(*n));
		if (!n)
			break;
		c->th = n;
		struct threshold *t = &c->th[c->nth++];
		copy_text(t->pattern, sizeof(t->pattern), s, 0);
		t->assess = sqlite3_column_int(s, 1);
		t->min_windows = col(s, 2), t->min_span_s = col(s, 3), t->min_per_kcycle = col(s, 4);
		t->min_per_hour = col(s, 5), t->min_r2 = col(s, 6), t->min_half_ratio = col(s, 7);
		copy_text(t->scope, sizeof(t->scope), s, 8);
		t->has_bound = sqlite3_column_type(s, 9) != SQLITE_NULL;
		copy_text(t->bound_setting, sizeof(t->bound_setting), s, 9);
	}
	return finish(c, s, rc);
}

/* The threshold row of a metric (metric_thresholds): the longest
 * matching GLOB pattern, the first in order among equals; NULL when none. */
static const struct threshold *threshold_of(const struct run_ctx *c, const char *name)
{
	const struct threshold *best = NULL;
	for (size_t i = 0; i < c->nth; i++) {
		const struct threshold *t = &c->th[i];
		if (sqlite3_strglob(t->pattern, name) != 0)
			continue;
		size_t l = strlen(t->pattern), bl = best ? strlen(best->pattern) : 0;
		if (!best || l > bl || (l == bl && strcmp(t->pattern, best->pattern) < 0))
			best = t;
	}
	return best;
}

/* The series of metric id, added (in metric id order) when new; NULL when
 * out of memory. */
static struct series *series_of(struct run_ctx *c, int64_t id, sqlite3_stmt *s)
{
	size_t lo = lower_bound_i64(c->ser, c->nser, sizeof(*c->ser), offsetof(struct series, metric_id), id);
	if (lo < c->nser && c->ser[lo].metric_id == id)
		return &c->ser[lo];
	if (c->nser == c->capser) {
		size_t cap = c->capser ? 2 * c->capser : 64;
		struct series *n = realloc(c->ser, cap * sizeof(*n));
		if (!n)
			return NULL;
		c->ser = n;
		c->capser = cap;
	}
	memmove(&c->ser[lo + 1], &c->ser[lo], (c->nser - lo) * sizeof(*c->ser));
	c->nser++;
	c->ser[lo] = (struct series){ .metric_id = id };
	copy_text(c->ser[lo].name, sizeof(c->ser[lo].name), s, 1);
	return &c->ser[lo];
}

/* Put point p into series x in time order: it replaces the point of the
 * same t (a rollup bucket that took more samples), else it is inserted
 * where its t goes (at the end but for a round written late). 0, -1. */
static int put_point(struct series *x, struct gs_point p)
{
	size_t j = x->n;
	while (j > 0 && x->pts[j - 1].t > p.t)
		j--;
	if (j > 0 && x->pts[j - 1].t == p.t)
		j--;
	for (size_t s = 0; s < x->nws; s++)
		gs_window_search_changed(&x->ws[s], j);
	if (j < x->n && x->pts[j].t == p.t) {
		x->pts[j] = p;
		return 0;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		struct gs_point *n = realloc(x->pts, cap * sizeof(*n));
		if (!n)
			return -1;
		x->pts = n;
		x->cap = cap;
	}
	memmove(&x->pts[j + 1], &x->pts[j], (x->n - j) * sizeof(*x->pts));
	x->pts[j] = p;
	x->n++;
	return 0;
}

/* Forget every point (the run's base changed: its points are others). */
static void drop_points(struct run_ctx *c)
{
	for (size_t i = 0; i < c->nser; i++) {
		free(c->ser[i].pts);
		free(c->ser[i].ws);
	}
	c->nser = 0;
}

/* Series x's window searches, one per step of c (started anew when the
 * steps changed); NULL when out of memory. */
static struct gs_window_search *window_searches(const struct run_ctx *c, struct series *x)
{
	if (x->nws == c->nsteps)
		return x->ws;
	free(x->ws);
	x->nws = 0;
	if (!(x->ws = calloc(c->nsteps + 1, sizeof(*x->ws))))
		return NULL;
	x->nws = c->nsteps;
	return x->ws;
}

/* The points of the run (trend_base) written since tick since (by id: the
 * order they were written in, whatever their t), grouped into series by
 * metric: the raw samples of those ticks, or the rollups from the bucket
 * before the earliest of them (the buckets they changed). All of them
 * when since is 0. */
static int load_points(struct run_ctx *c, int64_t since)
{
	static const char raw[] =
		"SELECT s.metric_id, m.name, k.t, CAST(k.cycles AS REAL), s.value, s.value, s.value, 1"
		" FROM ticks k CROSS JOIN metrics m CROSS JOIN samples s"
		" WHERE +k.run_id = ?1 AND k.id > ?3 AND s.metric_id = m.id AND s.tick_id = k.id";
	static const char rolled[] =
		"SELECT w.metric_id, m.name, w.t0, CAST(w.c0 AS REAL), w.vmin, w.vmax, w.vsum / w.n, w.n"
		" FROM metrics m CROSS JOIN rollups w"
		" WHERE w.run_id = ?1 AND w.width = ?2 AND w.metric_id = m.id AND w.bucket >="
		" COALESCE((SELECT MIN(t) FROM ticks WHERE +run_id = ?1 AND id > ?3) - ?2, -1e300)";
	sqlite3_stmt *s = prepare_run(c, c->base == 0 ? raw : rolled);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 2, c->base);
	sqlite3_bind_int64(s, 3, since);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct series *x = series_of(c, sqlite3_column_int64(s, 0), s);
		if (!x || put_point(x, (struct gs_point){ col(s, 2), col(s, 3), col(s, 4), col(s, 5), col(s, 6),
							  col(s, 7) })) {
			sqlite3_finalize(s);
			snprintf(c->err, c->errlen, "out of memory");
			return -1;
		}
	}
	c->maxn = 0;
	for (size_t i = 0; i < c->nser; i++)
		c->maxn = c->ser[i].n > c->maxn ? c->ser[i].n : c->maxn;
	return finish(c, s, rc);
}

/* The attribution probe's pauses of the run, in seconds since its first
 * tick (leak_trends' pz); none when the schema has no probe_pauses. */
static int load_pauses(struct run_ctx *c)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(c->db, "SELECT workload, t_start, t_end FROM probe_pauses WHERE run_id = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, c->run_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_pause *n = realloc(c->pauses, (c->npauses + 1) * sizeof(*n));
		if (!n)
			break;
		c->pauses = n;
		struct gs_pause *p = &c->pauses[c->npauses++];
		copy_text(p->workload, sizeof(p->workload), s, 0);
		p->s0 = col(s, 1) - c->t_first;
		p->s1 = (sqlite3_column_type(s, 2) == SQLITE_NULL ? c->t_last : col(s, 2)) - c->t_first;
	}
	return finish(c, s, rc);
}

/* The first and last value of the series' minute rollups; the two
 * statements are prepared once per judgement (ctx->fl). */
static void first_last(struct run_ctx *c, struct gs_trend_row *r)
{
	static const char *const sql[2] = {
		"SELECT first FROM rollups WHERE run_id = ?1 AND width = 60 AND metric_id = ?2 ORDER BY bucket LIMIT 1",
		"SELECT last FROM rollups WHERE run_id = ?1 AND width = 60 AND metric_id = ?2 ORDER BY bucket DESC LIMIT 1",
	};
	double *out[2] = { &r->first_value, &r->last_value };
	for (int i = 0; i < 2; i++) {
		*out[i] = NAN;
		sqlite3_stmt *s = c->fl[i] ? c->fl[i] : (c->fl[i] = prepare_run(c, sql[i]));
		if (!s)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 2, r->metric_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			*out[i] = col(s, 0);
	}
}

/* What judging series x (its threshold row th, or NULL) needs besides
 * its points, over the whole run. */
static struct gs_series_params series_params(const struct run_ctx *c, const struct series *x,
					     const struct threshold *th)
{
	return (struct gs_series_params){
		.started = c->started, .t_first = c->t_first, .t_mid = c->t_mid, .span = c->span, .step = c->step,
		.by_cycles = x->by_cycles, .m = x->m, .assess = th ? th->assess : 1, .has_bound = th && th->has_bound,
		.bound = th && th->has_bound ? setting(c->db, th->bound_setting) : NAN,
		.min_windows = th ? th->min_windows : NAN, .min_span_s = th ? th->min_span_s : NAN,
		.min_r2 = th ? th->min_r2 : NAN, .min_half_ratio = th ? th->min_half_ratio : NAN,
		.conf = c->conf, .swing_max = c->swing_max, .steps = c->steps, .nsteps = c->nsteps,
	};
}

/* Judge series x into row r (everything but attribution and holder). */
static int judge_one(struct run_ctx *c, struct series *x, struct gs_trend_row *r)
{
	const struct threshold *th = threshold_of(c, x->name);
	const char *scope = th ? th->scope : "kernel";
	x->by_cycles = c->by_cycles && strcmp(scope, "kernel") == 0;
	x->m = !th ? NAN : x->by_cycles ? th->min_per_kcycle / 1000 : th->min_per_hour / 3600;
	x->min_per_s = th ? th->min_per_hour / 3600 : NAN;
	struct gs_series_params p = series_params(c, x, th);
	p.search = window_searches(c, x);
	x->wins = malloc((x->n ? x->n : 1) * sizeof(*x->wins));
	if (!p.search || !x->wins || gs_judge_series(x->pts, x->n, &p, &r->res, x->wins, &x->nwins)) {
		snprintf(c->err, c->errlen, "out of memory");
		return -1;
	}
	const struct gs_series_result *v = &r->res;
	int judged = v->k > 0;
	*r = (struct gs_trend_row){
		.run_id = c->run_id, .metric_id = x->metric_id, .samples = v->samples, .span_s = v->t_last - v->t_first,
		.slope_per_hour = v->floor_per_hour, .slope_per_kcycle = v->floor_per_kcycle,
		.mean_per_hour = v->mean_per_hour, .mean_per_kcycle = v->mean_per_kcycle,
		.robust_slope = v->u_slope * v->unit, .per = (judged ? x->by_cycles : c->by_cycles) ? "kcycle" : "hour",
		.windows = judged ? (long)v->windows : 0, .window_s = v->w, .r2 = v->r2,
		.half1_slope = v->u_slope1 * v->unit, .half2_slope = v->u_slope2 * v->unit, .verdict = v->verdict,
		.slope_per_kcycle_workload = NAN, .confidence = v->confidence,
		.threshold = judged ? x->m * v->unit : NAN, .bound = p.bound, .max_value = v->vmax, .res = *v,
	};
	snprintf(r->metric, sizeof(r->metric), "%s", x->name);
	snprintf(r->scope, sizeof(r->scope), "%s", scope);
	first_last(c, r);
	return 0;
}

/* Whether series x is a workload's cycle counter (workload.NAME.cycles);
 * *name, *len get NAME. */
static int is_counter(const struct series *x, const char **name, size_t *len)
{
	if (sqlite3_strglob("workload.?*.cycles", x->name) != 0)
		return 0;
	*name = x->name + 9;
	*len = strlen(x->name) - 16;
	return 1;
}

/* Judge the n points pts of series x (in time order, their c on the
 * verdict's axis) over their own span into *res, their halves split at
 * the middle of the time from t_half on (the first point's when NAN);
 * wins has room for n windows, *nw gets their number. 0, or -1 with
 * ctx->err. */
static int judge_part(struct run_ctx *c, const struct series *x, const struct gs_point *pts, size_t n,
		      double t_half, struct gs_series_result *res, struct gs_window *wins, size_t *nw)
{
	struct gs_series_params p = series_params(c, x, threshold_of(c, x->name));
	if (n > 0) {
		p.t_first = pts[0].t, p.span = pts[n - 1].t - pts[0].t;
		p.t_mid = ((isnan(t_half) ? pts[0].t : t_half) + pts[n - 1].t) / 2;
	}
	p.halves_by_time = !isnan(t_half); /* on its workload's cycles */
	if (gs_judge_series(pts, n, &p, res, wins, nw)) {
		snprintf(c->err, c->errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The counter of the workload that started last (gs_counter_start,
 * gs_onset_candidate) and its start in *t0; NULL when there is none, or
 * -1 with ctx->err when out of memory. The same for every series of a
 * judgement, so it is found once. */
static int onset_candidate(struct run_ctx *c, const struct series **wl, double *t0)
{
	*wl = NULL;
	double *starts = malloc((c->nser + 1) * sizeof(*starts));
	if (!starts) {
		snprintf(c->err, c->errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->nser; i++) {
		const char *name;
		size_t len;
		starts[i] = is_counter(&c->ser[i], &name, &len) ? gs_counter_start(c->ser[i].pts, c->ser[i].n) : NAN;
	}
	long cand = gs_onset_candidate(starts, c->nser, c->step);
	if (cand >= 0) {
		*wl = &c->ser[cand];
		*t0 = starts[cand];
	}
	free(starts);
	return 0;
}

/* db/TRENDS.md, "Late onsets": a series judged on cycles and not leaking
 * is judged again on the cycles of the workload that started last
 * (gs_counter_start, gs_onset_candidate), 0 before it started
 * (gs_on_counter_axis), its halves those of the time since. Leaking
 * there, with at least min_windows of those windows before the start (a
 * level to rise from), at least the threshold per cycle of all
 * workloads since the start (gs_onset_share), and the floors
 * before the start not leaking on every workload's cycles (the rise
 * began with the workload), the series is leaking, attributed to that workload ("onset"), at its rate per
 * 1000 of that workload's cycles. The row's verdict, confidence and tests
 * (robust slope, halves, r2, windows) become that judgement's; its res
 * and slopes stay the whole run's, which the holders compare with the
 * other series'. wl is the candidate workload's counter, t0 its start
 * (onset_candidate). */
static int late_onset(struct run_ctx *c, const struct series *x, const struct series *wl, double t0,
		      struct gs_trend_row *r)
{
	const struct gs_series_result *v = &r->res;
	const struct threshold *th = threshold_of(c, x->name);
	size_t min_part = th && th->min_windows > 4 ? (size_t)th->min_windows : 4;
	if (!x->by_cycles || (v->verdict != GS_STABLE && v->verdict != GS_INSUFFICIENT_DATA))
		return 0;
	struct gs_point *pts = malloc((x->n + 1) * sizeof(*pts));
	struct gs_window *wins = malloc((x->n + 1) * sizeof(*wins));
	int rc = -1;
	if (!pts || !wins) {
		snprintf(c->err, c->errlen, "out of memory");
		goto done;
	}
	rc = 0;
	struct gs_series_result on, before;
	size_t n = gs_on_counter_axis(x->pts, x->n, wl->pts, wl->n, t0, pts), nw, nb = 0, wb = 0;
	if ((rc = judge_part(c, x, pts, n, t0, &on, wins, &nw)))
		goto done;
	while (wb < nw && wins[wb].t0 < t0)
		wb++;
	while (nb < x->n && x->pts[nb].t < t0)
		nb++;
	/* at least the threshold per cycle of all since the start: a
	 * workload with a small share of the cycles does not make a small
	 * rise large */
	double share = gs_onset_share(x->pts, x->n, wl->pts, wl->n, t0);
	if (wb < min_part || !(on.u_slope * share >= x->m))
		goto done;
	if (on.verdict != GS_LEAKING) {
		/* rising on the workload's cycles: not stable (as still_rising) */
		if (v->verdict == GS_STABLE && on.p_up >= c->conf) {
			r->verdict = r->res.verdict = GS_INSUFFICIENT_DATA;
			r->confidence = r->res.confidence = fmax(v->p_up, 1 - v->p_up);
		}
		goto done;
	}
	if ((rc = judge_part(c, x, x->pts, nb, NAN, &before, wins, &nw)) || before.verdict == GS_LEAKING)
		goto done;
	const char *name = "";
	size_t len = 0;
	is_counter(wl, &name, &len);
	r->verdict = r->res.verdict = GS_LEAKING;
	r->confidence = r->res.confidence = on.confidence;
	r->robust_slope = on.u_slope * on.unit;
	r->half1_slope = on.u_slope1 * on.unit, r->half2_slope = on.u_slope2 * on.unit;
	r->r2 = on.r2, r->windows = (long)on.windows, r->window_s = on.w;
	r->attribution = "onset";
	snprintf(r->workload, sizeof(r->workload), "%.*s", (int)len, name);
	r->slope_per_kcycle_workload = on.floor_per_kcycle;
done:
	free(pts);
	free(wins);
	return rc;
}

/* A workload's regression of a leaking series' floors on the workload's
 * own cycles at the same windows (leak_trends' wa, wr). */
struct regression {
	const char *workload;   /* into the series' name */
	size_t wlen, n;
	double slope, rss;
};

static int by_rss(const void *a, const void *b)
{
	const struct regression *x = a, *y = b;
	if (x->rss != y->rss)
		return x->rss < y->rss ? -1 : 1;
	size_t l = x->wlen < y->wlen ? x->wlen : y->wlen;
	int d = memcmp(x->workload, y->workload, l);
	return d ? d : (x->wlen > y->wlen) - (x->wlen < y->wlen);
}

/* Regress leaking series x on workload series wl; 0 when the workload's
 * cycles do not vary over the windows they share. */
static int regress(struct run_ctx *c, const struct series *x, long k, const struct series *wl,
		   struct gs_window *cw, struct regression *out)
{
	size_t ncw = gs_windows(wl->pts, wl->n, c->t_first, (double)k * c->step, 0, cw);
	double n = 0, mx = 0, mxx = 0, mf = 0, mff = 0, mxf = 0;
	for (size_t a = 0, b = 0; a < x->nwins && b < ncw;) {
		if (x->wins[a].i < cw[b].i) {
			a++;
		} else if (x->wins[a].i > cw[b].i) {
			b++;
		} else {
			double v = cw[b].vmin, f = x->wins[a].f;
			n++, mx += v, mxx += v * v, mf += f, mff += f * f, mxf += v * f;
			a++, b++;
		}
	}
	if (n == 0)
		return 0;
	mx /= n, mxx /= n, mf /= n, mff /= n, mxf /= n;
	double vx = mxx - mx * mx, cxf = mxf - mx * mf;
	if (!(vx > 1e-9))
		return 0;
	out->n = (size_t)n;
	out->slope = cxf / vx;
	out->rss = fmax(0, n * ((mff - mf * mf) - cxf * cxf / vx));
	return 1;
}

/* leak_trends' at: in a run with pauses, the probe names the workload
 * when it agrees with the regression or the regression is ambiguous
 * ("probe"), and makes a disagreeing regression "ambiguous"; *named gets
 * the probe's workload (its regression: NAN slope when it had none). */
static const char *probe(struct run_ctx *c, const struct series *x, const struct regression *reg, size_t nreg,
			 const char *method, struct regression *named)
{
	if (c->npauses == 0 || isnan(x->min_per_s))
		return method;
	const char *w = gs_probe_workload(x->pts, x->n, c->t_first, c->pauses, c->npauses, x->min_per_s);
	if (!w)
		return method;
	*named = (struct regression){ .workload = w, .wlen = strlen(w), .slope = NAN };
	for (size_t i = 0; i < nreg; i++)
		if (reg[i].wlen == strlen(w) && memcmp(reg[i].workload, w, reg[i].wlen) == 0)
			*named = reg[i];
	int agrees = reg[0].wlen == strlen(w) && memcmp(reg[0].workload, w, reg[0].wlen) == 0;
	return strcmp(method, "ambiguous") == 0 || agrees ? "probe" : "ambiguous";
}

/* leak_trends' at0: the workload whose own cycles the floors fit best. */
static int attribute(struct run_ctx *c, struct series *x, struct gs_trend_row *r)
{
	struct regression *reg = malloc((c->nser + 1) * sizeof(*reg));
	struct gs_window *cw = malloc((c->maxn + 1) * sizeof(*cw));
	size_t nreg = 0;
	if (!reg || !cw) {
		free(reg);
		free(cw);
		snprintf(c->err, c->errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->nser; i++) {
		const struct series *wl = &c->ser[i];
		const char *name;
		size_t len;
		if (!is_counter(wl, &name, &len))
			continue;
		reg[nreg] = (struct regression){ .workload = name, .wlen = len };
		nreg += (size_t)regress(c, x, r->res.k, wl, cw, &reg[nreg]);
	}
	if (nreg > 0) {
		qsort(reg, nreg, sizeof(*reg), by_rss);
		const char *method;
		if (reg[0].slope <= 0)
			method = NULL;
		else if (nreg == 1)
			method = "only-workload";
		else if (reg[1].rss >= c->rss_ratio * reg[0].rss + 0.25 * (double)reg[0].n)
			method = "regression";
		else
			method = "ambiguous";
		struct regression named = reg[0];
		if (method && strcmp(method, "only-workload") != 0)
			method = probe(c, x, reg, nreg, method, &named);
		r->attribution = method;
		if (method && strcmp(method, "ambiguous") != 0) {
			snprintf(r->workload, sizeof(r->workload), "%.*s", (int)named.wlen, named.workload);
			r->slope_per_kcycle_workload = named.slope * 1000;
		}
	}
	free(reg);
	free(cw);
	return 0;
}

/* The row of the series named name among rows judged on windows; NULL. */
static struct gs_trend_row *judged_row(struct gs_trend_row *rows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].res.k > 0 && strcmp(rows[i].metric, name) == 0)
			return &rows[i];
	return NULL;
}

/* leak_trends' hx, ho: how much of a leaking metric's growth its split
 * metrics (held by a process, by no process) explain. */
static int holders(struct run_ctx *c, struct gs_trend_row *rows, size_t n)
{
	sqlite3_stmt *s = prepare_run(c, "SELECT metric, kernel_metric, process_metric FROM trend_holders");
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name[3];
		for (int i = 0; i < 3; i++)
			name[i] = (const char *)sqlite3_column_text(s, i);
		struct gs_trend_row *x = judged_row(rows, n, name[0]);
		if (!x || x->verdict != GS_LEAKING)
			continue;
		struct gs_trend_row *k = judged_row(rows, n, name[1]), *p = judged_row(rows, n, name[2]);
		double bu = x->res.bu, kbu = k && !isnan(k->res.bu) ? k->res.bu : 0;
		double pbu = p && !isnan(p->res.bu) ? p->res.bu : 0, share = c->share;
		if (isnan(bu) || bu <= 0)
			continue;
		if (kbu >= share * bu && pbu < (1 - share) * bu)
			x->holder = "kernel";
		else if (pbu >= share * bu && kbu < (1 - share) * bu)
			x->holder = "process";
		else if (kbu >= 0.5 * (1 - share) * bu && pbu >= 0.5 * (1 - share) * bu)
			x->holder = "mixed";
	}
	return finish(c, s, rc);
}

/* A byte total leaks only with its objects (trend_sizes, schema 0015;
 * db/TRENDS.md, "Byte totals"): a leaking byte total whose count metric
 * is judged and not leaking becomes insufficient-data, its confidence
 * that of an undecided verdict; its floor moved with the sizes in
 * flight. Nothing to do when the schema has no trend_sizes. */
static int sizes(struct run_ctx *c, struct gs_trend_row *rows, size_t n)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(c->db, "SELECT metric, count_metric FROM trend_sizes", -1, &s, NULL) != SQLITE_OK)
		return 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_trend_row *x = judged_row(rows, n, (const char *)sqlite3_column_text(s, 0));
		const struct gs_trend_row *k = judged_row(rows, n, (const char *)sqlite3_column_text(s, 1));
		if (!x || !k || x->verdict != GS_LEAKING || k->verdict == GS_LEAKING)
			continue;
		x->verdict = x->res.verdict = GS_INSUFFICIENT_DATA;
		x->confidence = x->res.confidence = fmax(x->res.p_up, 1 - x->res.p_up);
	}
	return finish(c, s, rc);
}

/* Whether a metric is one of the whole machine's (trend_system): 1, 0,
 * or -1 on a database error. */
static int of_machine(sqlite3_stmt *s, const char *metric)
{
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, metric, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	return rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
}

/* The machine's memory leaks with DRM's, or by an intervention
 * (trend_system, schema 0019; db/TRENDS.md, "The machine's memory"): a
 * leaking metric of the whole machine (every process and subsystem moves
 * it) stays leaking when its attribution is an intervention (the probe's
 * pause, a late onset) or another kernel metric of the run, one of DRM's,
 * is leaking; otherwise it becomes insufficient-data, its confidence that
 * of an undecided verdict, attributed to nobody. Run after attribute().
 * Nothing to do when the schema has no trend_system. */
static int machine_wide(struct run_ctx *c, struct gs_trend_row *rows, size_t n)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(c->db, "SELECT EXISTS (SELECT 1 FROM trend_system WHERE ?1 GLOB pattern)", -1, &s,
			       NULL) != SQLITE_OK)
		return 0;
	bool drm_leaks = false;
	int rc = 0;
	for (size_t i = 0; rc >= 0 && i < n; i++)
		if (rows[i].verdict == GS_LEAKING && strcmp(rows[i].scope, "kernel") == 0 &&
		    (rc = of_machine(s, rows[i].metric)) == 0)
			drm_leaks = true;
	for (size_t i = 0; rc >= 0 && !drm_leaks && i < n; i++) {
		struct gs_trend_row *x = &rows[i];
		const char *a = x->attribution;
		if (x->verdict != GS_LEAKING || strcmp(x->scope, "kernel") != 0 ||
		    (a && (strcmp(a, "probe") == 0 || strcmp(a, "onset") == 0)) || (rc = of_machine(s, x->metric)) != 1)
			continue;
		x->verdict = x->res.verdict = GS_INSUFFICIENT_DATA;
		x->confidence = x->res.confidence = fmax(x->res.p_up, 1 - x->res.p_up);
		x->attribution = NULL;
		x->workload[0] = '\0';
		x->slope_per_kcycle_workload = NAN;
	}
	return finish(c, s, rc < 0 ? SQLITE_ERROR : SQLITE_DONE);
}

static int by_metric(const void *a, const void *b)
{
	return strcmp(((const struct gs_trend_row *)a)->metric, ((const struct gs_trend_row *)b)->metric);
}

/* What a run's judgement keeps between rounds: its points, and up to
 * which tick (by id) and on which base they were read. */
struct gs_run_state {
	struct run_ctx c;
	int64_t last_tick;
	long base;
	bool loaded;
	struct gs_lows_store *lows; /* the findings' lows of the run's leaking metrics */
	int64_t samples, count_tick; /* the run's samples, counted up to tick count_tick */
	bool counted;
};

struct gs_run_state *gs_run_state_new(int64_t run_id)
{
	struct gs_run_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->c.run_id = run_id;
	if (!(st->lows = gs_lows_store_new(run_id, GS_LOWS_MIN_MINUTES))) {
		free(st);
		return NULL;
	}
	return st;
}

int gs_run_samples(sqlite3 *db, int64_t run_id, int64_t *n)
{
	sqlite3_stmt *s;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT " GS_RUN_SAMPLES("?1"), -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int64_t gs_run_state_samples(const struct gs_run_state *st)
{
	return st->samples;
}

/* Count st's run's samples up to tick last: all of them the first time,
 * then those of the ticks after the last count. 0, or -1 with ctx->err. */
static int count_samples(struct gs_run_state *st, int64_t last)
{
	struct run_ctx *c = &st->c;
	if (!st->counted) {
		if (gs_run_samples(c->db, c->run_id, &st->samples)) {
			snprintf(c->err, c->errlen, "%s", sqlite3_errmsg(c->db));
			return -1;
		}
		st->counted = true;
		st->count_tick = last;
		return 0;
	}
	if (last <= st->count_tick)
		return 0;
	sqlite3_stmt *s = prepare_run(c, "SELECT COUNT(*) FROM ticks k CROSS JOIN metrics m CROSS JOIN samples s"
				      " WHERE +k.run_id = ?1 AND k.id > ?2 AND k.id <= ?3 AND s.metric_id = m.id"
				      " AND s.tick_id = k.id");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 2, st->count_tick);
	sqlite3_bind_int64(s, 3, last);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		st->samples += sqlite3_column_int64(s, 0);
	st->count_tick = last;
	return finish(c, s, rc);
}

struct gs_lows_store *gs_run_state_lows(struct gs_run_state *st)
{
	return st->lows;
}

void gs_run_state_free(struct gs_run_state *st)
{
	if (!st)
		return;
	drop_points(&st->c);
	gs_lows_store_free(st->lows);
	free(st->c.ser);
	free(st->c.th);
	free(st->c.steps);
	free(st->c.pauses);
	free(st);
}

size_t gs_run_state_bytes(const struct gs_run_state *st)
{
	if (!st)
		return 0;
	size_t bytes = sizeof(*st) + st->c.capser * sizeof(*st->c.ser) + gs_lows_store_bytes(st->lows);
	for (size_t i = 0; i < st->c.nser; i++) {
		const struct series *x = &st->c.ser[i];
		bytes += x->cap * sizeof(*x->pts) + (x->ws ? x->nws + 1 : 0) * sizeof(*x->ws); /* as allocated */
	}
	return bytes;
}

/* Forget what each judgement reads anew: settings, thresholds, pauses. */
static void reset_round(struct run_ctx *c)
{
	free(c->th);
	free(c->steps);
	free(c->pauses);
	c->th = NULL, c->steps = NULL, c->pauses = NULL;
	c->nth = c->nsteps = c->npauses = 0;
}

/* Bring st's points up to the run's last tick in db: those written since
 * the last update, or all when the run's base changed. 0, or -1. */
static int update_points(struct gs_run_state *st)
{
	struct run_ctx *c = &st->c;
	/* the newest tick of the file: ticks ids only grow, and the run's
	 * are those above since (a rowid range, not a scan of the run) */
	sqlite3_stmt *s = prepare_run(c, "SELECT MAX(id) FROM ticks");
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int64_t last = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (finish(c, s, rc))
		return -1;
	if (!st->loaded || st->base != c->base) {
		drop_points(c);
		st->last_tick = 0;
	}
	if (load_points(c, st->last_tick) || count_samples(st, last) ||
	    gs_lows_store_update(st->lows, c->db, st->last_tick, last, c->err, c->errlen))
		return -1;
	st->loaded = true;
	st->base = c->base;
	st->last_tick = last;
	return 0;
}

int gs_run_state_judge(struct gs_run_state *st, sqlite3 *db, struct gs_trend_row **rows, size_t *nrows,
		       char *err, size_t errlen)
{
	struct run_ctx *c = &st->c;
	struct gs_trend_row *out = NULL;
	int r = -1;
	c->db = db, c->err = err, c->errlen = errlen;
	*rows = NULL;
	*nrows = 0;
	reset_round(c);
	if (load_run(c) || load_thresholds(c) || update_points(st) || load_pauses(c))
		goto done;
	if (!(out = calloc(c->nser + 1, sizeof(*out)))) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < c->nser; i++)
		if (judge_one(c, &c->ser[i], &out[i]))
			goto done;
	const struct series *onset_wl;
	double onset_t0 = NAN;
	if (onset_candidate(c, &onset_wl, &onset_t0))
		goto done;
	for (size_t i = 0; onset_wl && i < c->nser; i++)
		if (late_onset(c, &c->ser[i], onset_wl, onset_t0, &out[i]))
			goto done;
	if (sizes(c, out, c->nser))
		goto done;
	for (size_t i = 0; i < c->nser; i++)
		if (out[i].verdict == GS_LEAKING && out[i].res.k > 0 && !out[i].attribution &&
		    attribute(c, &c->ser[i], &out[i]))
			goto done;
	if (machine_wide(c, out, c->nser) || holders(c, out, c->nser))
		goto done;
	qsort(out, c->nser, sizeof(*out), by_metric);
	*rows = out;
	*nrows = c->nser;
	out = NULL;
	r = 0;
done:
	free(out);
	for (size_t i = 0; i < c->nser; i++) {
		free(c->ser[i].wins);
		c->ser[i].wins = NULL;
	}
	for (int i = 0; i < 2; i++) {
		sqlite3_finalize(c->fl[i]);
		c->fl[i] = NULL;
	}
	return r;
}

int gs_judge_run(sqlite3 *db, int64_t run_id, struct gs_trend_row **rows, size_t *nrows, char *err,
		 size_t errlen)
{
	struct gs_run_state *st = gs_run_state_new(run_id);
	if (!st) {
		*rows = NULL;
		*nrows = 0;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = gs_run_state_judge(st, db, rows, nrows, err, errlen);
	gs_run_state_free(st);
	return r;
}
