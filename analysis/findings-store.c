#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analysis/finding-origin.h"
#include "analysis/findings-store.h"
#include "db/bind.h"
#include "db/origins.h"

static double col(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* One number from sql with run bound to ?1; NAN when no row, NULL or an
 * error (a table an older schema lacks). */
static double query_num(sqlite3 *db, const char *sql, int64_t run)
{
	sqlite3_stmt *s;
	double v = NAN;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return NAN;
	sqlite3_bind_int64(s, 1, run);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = col(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The lows of a leaking metric (gs_lows_pick): from ls, or read in full
 * into *raw and *minutes. NULL with err filled. */
static const struct gs_lows *lows_of(sqlite3 *db, int64_t run_id, int64_t metric_id, struct gs_lows_store *ls,
				     struct gs_lows *raw, struct gs_lows *minutes, char *err, size_t errlen)
{
	const struct gs_lows *l = NULL;
	if (ls)
		return gs_lows_store_get(ls, db, metric_id, &l, err, errlen) ? NULL : l;
	gs_lows_free(raw);
	gs_lows_free(minutes);
	if (gs_lows_load(db, run_id, metric_id, INT64_MAX, raw, minutes, NULL, err, errlen))
		return NULL;
	return gs_lows_pick(raw, minutes, GS_LOWS_MIN_MINUTES);
}

/* store_origins_since's row: appended to a growing gs_origin array. */
struct origins_out {
	struct gs_origin *o;
	size_t n;
};

static char *dup_text(const char *t)
{
	return strdup(t ? t : "");
}

static int add_origin(void *arg, const struct origin_growth *g)
{
	struct origins_out *out = arg;
	struct gs_origin *o = realloc(out->o, (out->n + 1) * sizeof(*o));
	if (!o)
		return -1;
	out->o = o;
	o += out->n++;
	*o = (struct gs_origin){ .kind = dup_text(g->kind), .workload = dup_text(g->workload),
				 .comm = dup_text(g->comm), .stack = dup_text(g->stack), .base = g->base,
				 .alive = g->alive };
	return o->kind && o->workload && o->comm && o->stack ? 0 : -1;
}

int gs_origins_since(sqlite3 *db, int64_t run_id, const char *kind, double since, struct gs_origin **out,
		     size_t *n, char *err, size_t errlen)
{
	struct origins_out o = { 0 };
	int r = store_origins_since(db, run_id, kind, since, add_origin, &o, err, errlen);
	if (r > 0)
		snprintf(err, errlen, "origins of run %lld: out of memory", (long long)run_id);
	if (r) {
		gs_origins_free(o.o, o.n);
		o = (struct origins_out){ 0 };
	}
	*out = o.o;
	*n = o.n;
	return r ? -1 : 0;
}

void gs_origins_free(struct gs_origin *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)o[i].kind);
		free((char *)o[i].workload);
		free((char *)o[i].comm);
		free((char *)o[i].stack);
	}
	free(o);
}

/* Whether metric is one of the comma-separated metrics. */
static int in_list(const char *metrics, const char *metric)
{
	size_t len = strlen(metric);
	for (const char *p = metrics; *p;) {
		size_t k = strcspn(p, ",");
		if (k == len && !strncmp(p, metric, len))
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/* The workloads that ran (their cycles series in rows) and their cycles
 * per hour over their span. */
struct workloads {
	const char **name;
	double *per_hour;
	size_t n;
};

static int workloads_of(const struct gs_trend_row *rows, size_t nrows, struct workloads *w)
{
	w->name = calloc(nrows + 1, sizeof(*w->name));
	w->per_hour = calloc(nrows + 1, sizeof(*w->per_hour));
	w->n = 0;
	if (!w->name || !w->per_hour)
		return -1;
	for (size_t i = 0; i < nrows; i++) {
		size_t len = strlen(rows[i].metric);
		if (sqlite3_strglob("workload.?*.cycles", rows[i].metric) != 0)
			continue;
		char *name = strndup(rows[i].metric + 9, len - 9 - 7);
		if (!name)
			return -1;
		w->name[w->n] = name;
		w->per_hour[w->n++] = rows[i].span_s > 0 ?
			(rows[i].last_value - rows[i].first_value) / rows[i].span_s * 3600 : NAN;
	}
	return 0;
}

static void workloads_free(struct workloads *w)
{
	for (size_t i = 0; w->name && i < w->n; i++)
		free((char *)w->name[i]);
	free(w->name);
	free(w->per_hour);
}

/* How many objects of kind finding f's leaks rose by: the largest rise
 * of the floor (its last level less its first) of its metrics that count
 * them; NAN when none is known. */
static double rise_of(const struct gs_leak *leaks, size_t nl, const struct gs_finding *f, const char *kind)
{
	double most = NAN;
	for (size_t j = 0; j < nl; j++) {
		const char *k = gs_origin_kind(leaks[j].metric);
		if (!k || strcmp(k, kind) || !in_list(f->metrics, leaks[j].metric))
			continue;
		double first = NAN, last = NAN;
		for (int i = 0; i < GS_LEVELS; i++)
			if (!isnan(leaks[j].level[i])) {
				first = isnan(first) ? leaks[j].level[i] : first;
				last = leaks[j].level[i];
			}
		if (!isnan(last - first) && !(last - first <= most))
			most = last - first;
	}
	return most;
}

/* The origins' word on each of the n findings f of the leaks (db/TRENDS.md,
 * "Attribution by origin"): where the traced objects of its kind that
 * grew since its onset are (nearly) all one workload's, and not many more
 * than its own metrics counted (rise_of), its leaks are
 * that workload's, attribution "origin" (the statistics' workload kept
 * in overruled when it differs; the rate per its cycles from the
 * workload's cycle rate then). *changed: whether any leak changed, so
 * that the caller groups them again (the leaks' workloads then point
 * into w's names). 0, or -1 with err filled. */
static int attribute_by_origins(sqlite3 *db, int64_t run_id, const struct workloads *w, struct gs_leak *leaks,
				size_t nl, const struct gs_finding *f, size_t n, int *changed, char *err, size_t errlen)
{
	int r = 0;
	*changed = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *kind = gs_finding_origin_kind(f[i].metrics);
		struct gs_origin *o;
		size_t no;
		if (!kind || (r = gs_origins_since(db, run_id, kind, f[i].onset, &o, &no, err, errlen)))
			continue;
		struct gs_origin_share share = gs_origin_share(kind, o, no);
		const char *by = gs_origin_workload(&share, w->name, w->n, rise_of(leaks, nl, &f[i], kind));
		if (by && gs_origin_overrules(&f[i], by)) {
			size_t k = 0;
			while (strcmp(w->name[k], by))
				k++;
			for (size_t j = 0; j < nl; j++) {
				struct gs_leak *l = &leaks[j];
				if (!l->metric || !in_list(f[i].metrics, l->metric))
					continue;
				int same = l->workload && !strcmp(l->workload, by);
				if (!same) {
					l->overruled = l->workload && *l->workload ? l->workload : NULL;
					l->per_kcycle_workload = gs_per_kcycle_of_rates(l->per_hour, w->per_hour[k]);
					l->workload = by;
				}
				l->attribution = "origin";
				*changed = 1;
			}
		}
		gs_origins_free(o, no);
	}
	return r;
}

int gs_findings_of_rows(sqlite3 *db, int64_t run_id, const struct gs_trend_row *rows, size_t nrows,
			struct gs_lows_store *ls, struct gs_finding **out, size_t *n, char *err, size_t errlen)
{
	struct gs_findings_params p = { .min_corr = 0.9 };
	struct gs_leak *leaks = calloc(nrows + 1, sizeof(*leaks));
	char (*units)[16] = calloc(nrows + 1, sizeof(*units));
	struct gs_lows raw = { 0 }, minutes = { 0 };
	struct workloads ran = { 0 };
	size_t nl = 0;
	int r = -1;
	*out = NULL;
	*n = 0;
	if (!leaks || !units) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	double started = query_num(db, "SELECT started FROM runs WHERE id = ?1", run_id);
	double t0 = query_num(db, "SELECT min(t) FROM ticks WHERE run_id = ?1", run_id);
	double t1 = query_num(db, "SELECT max(t) FROM ticks WHERE run_id = ?1", run_id);
	double pauses = query_num(db, "SELECT count(*) FROM probe_pauses WHERE run_id = ?1", run_id);
	p.probed = pauses > 0;
	double widest = 0;
	for (size_t i = 0; i < nrows; i++) {
		const struct gs_trend_row *w = &rows[i];
		if (sqlite3_strglob("workload.?*.cycles", w->metric) == 0)
			p.nworkloads++;
		if (w->verdict != GS_LEAKING || strcmp(w->scope, "kernel") != 0)
			continue;
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(db, "SELECT COALESCE(NULLIF(unit, ''), 'count') FROM metrics WHERE id = ?", -1,
				       &s, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, w->metric_id);
			if (sqlite3_step(s) == SQLITE_ROW)
				snprintf(units[nl], sizeof(units[nl]), "%s", (const char *)sqlite3_column_text(s, 0));
			sqlite3_finalize(s);
		}
		struct gs_leak *x = &leaks[nl];
		*x = (struct gs_leak){
			.metric = w->metric, .unit = *units[nl] ? units[nl] : "count", .workload = w->workload,
			.holder = w->holder, .attribution = w->attribution,
			.per_kcycle_workload = w->slope_per_kcycle_workload, .per_kcycle = w->slope_per_kcycle,
			.per_hour = w->slope_per_hour, .confidence = w->confidence,
		};
		/* A long run's raw samples may be pruned: its minute rollups
		 * then tell the shape better. */
		const struct gs_lows *l = lows_of(db, run_id, w->metric_id, ls, &raw, &minutes, err, errlen);
		if (!l)
			goto done;
		gs_lows_shape(l, started, t0, t1, &x->onset, x->level, GS_LEVELS);
		if (!isnan(w->window_s))
			widest = fmax(widest, w->window_s);
		nl++;
	}
	/* Two onsets within two floor windows, or a tenth of the run, are
	 * one: the onset is known to a window at best. */
	p.onset_tol_s = fmax(2 * widest, (t1 - t0) / 10);
	if (nl > 0 && !(*out = malloc(nl * sizeof(**out)))) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	*n = gs_findings(leaks, nl, &p, *out);
	/* The origins, where the kernel traced them, are the strongest
	 * evidence of whose a finding is: its leaks grouped again with it. */
	int traced = *n ? store_origins_recorded(db) : 0, changed = 0;
	if (traced < 0) {
		snprintf(err, errlen, "origins: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (traced > 0) {
		if (workloads_of(rows, nrows, &ran)) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		if (attribute_by_origins(db, run_id, &ran, leaks, nl, *out, *n, &changed, err, errlen))
			goto done;
		if (changed)
			*n = gs_findings(leaks, nl, &p, *out);
	}
	r = 0;
done:
	workloads_free(&ran);
	gs_lows_free(&raw);
	gs_lows_free(&minutes);
	free(leaks);
	free(units);
	return r;
}

int gs_write_findings(sqlite3 *db, int64_t run_id, double t, const struct gs_finding *f, size_t n, char *err,
		      size_t errlen)
{
	sqlite3_stmt *del = NULL, *put = NULL;
	double started = query_num(db, "SELECT started FROM runs WHERE id = ?1", run_id);
	int r = -1;
	if (sqlite3_prepare_v2(db, "DELETE FROM findings WHERE run_id = ?", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1,
			       &put, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(del, 1, run_id);
	if (sqlite3_step(del) != SQLITE_DONE)
		goto done;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(put);
		sqlite3_bind_int64(put, 1, run_id);
		sqlite3_bind_int(put, 2, f[i].id);
		sqlite3_bind_double(put, 3, t);
		sql_bind_text(put, 4, f[i].workload);
		sql_bind_text(put, 5, f[i].holder);
		sql_bind_num(put, 6, round(f[i].per_kcycle * 1000) / 1000);
		sql_bind_num(put, 7, round(f[i].per_hour * 1000) / 1000);
		sql_bind_text(put, 8, f[i].unit);
		sql_bind_text(put, 9, f[i].lead_metric);
		sql_bind_text(put, 10, f[i].metrics);
		sql_bind_num(put, 11, started + f[i].onset);
		sql_bind_num(put, 12, round(f[i].confidence * 10000) / 10000);
		sql_bind_text(put, 13, f[i].attribution);
		sqlite3_bind_text(put, 14, f[i].summary, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(put, 15, f[i].next, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(put) != SQLITE_DONE)
			goto done;
	}
	r = 0;
done:
	if (r)
		snprintf(err, errlen, "findings: %s", sqlite3_errmsg(db));
	sqlite3_finalize(del);
	sqlite3_finalize(put);
	return r;
}

static void text(char *dst, size_t len, sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	snprintf(dst, len, "%s", t ? t : "");
}

/* Read run_id's rows of the findings table into *out; -1 on an error. */
static int read_findings(sqlite3 *db, int64_t run_id, struct gs_finding **out, size_t *n)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT f.id, f.workload, f.holder, f.per_kcycle, f.per_hour, f.unit,"
			       " f.lead_metric, f.metrics, f.onset - r.started, f.confidence, f.attribution, f.summary,"
			       " f.next FROM findings f JOIN runs r ON r.id = f.run_id WHERE f.run_id = ? ORDER BY f.id",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_finding *g = realloc(*out, (*n + 1) * sizeof(*g));
		if (!g) {
			rc = SQLITE_NOMEM;
			break;
		}
		*out = g;
		struct gs_finding *f = &g[(*n)++];
		*f = (struct gs_finding){ .id = sqlite3_column_int(s, 0), .per_kcycle = col(s, 3), .per_hour = col(s, 4),
					  .onset = col(s, 8), .confidence = col(s, 9) };
		text(f->workload, sizeof(f->workload), s, 1);
		text(f->holder, sizeof(f->holder), s, 2);
		text(f->unit, sizeof(f->unit), s, 5);
		text(f->lead_metric, sizeof(f->lead_metric), s, 6);
		text(f->metrics, sizeof(f->metrics), s, 7);
		text(f->attribution, sizeof(f->attribution), s, 10);
		text(f->summary, sizeof(f->summary), s, 11);
		text(f->next, sizeof(f->next), s, 12);
		f->nmetrics = 1;
		for (const char *c = f->metrics; *c; c++)
			f->nmetrics += *c == ',';
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int gs_read_findings(sqlite3 *db, int64_t run_id, struct gs_finding **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (read_findings(db, run_id, out, n) == 0)
		return 0;
	snprintf(err, errlen, "findings: %s", sqlite3_errmsg(db));
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

int gs_load_findings(sqlite3 *db, int64_t run_id, struct gs_finding **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	double last = query_num(db, "SELECT max(t) FROM ticks WHERE run_id = ?1", run_id);
	if (isnan(last))
		return 0; /* no tick: nothing judged, nothing found */
	/* The table is current when the verdicts it was written with are
	 * as of the last tick. */
	double judged = query_num(db, "SELECT max(t) FROM findings WHERE run_id = ?1", run_id);
	double verdicts = query_num(db, "SELECT max(t) FROM verdicts WHERE run_id = ?1", run_id);
	if (verdicts == last && (isnan(judged) || judged == last) &&
	    !isnan(query_num(db, "SELECT count(*) FROM findings", run_id))) {
		if (read_findings(db, run_id, out, n) == 0)
			return 0;
		free(*out);
		*out = NULL;
		*n = 0;
	}
	struct gs_trend_row *rows;
	size_t nrows;
	if (gs_judge_run(db, run_id, &rows, &nrows, err, errlen))
		return -1;
	int r = gs_findings_of_rows(db, run_id, rows, nrows, NULL, out, n, err, errlen);
	free(rows);
	return r;
}
