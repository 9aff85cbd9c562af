#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analysis/findings-store.h"
#include "analysis/run.h"
#include "analysis/verdicts.h"

/* v rounded to d decimals, as the view's ROUND(v, d); NAN stays. */
static double round_to(double v, int d)
{
	double s = pow(10, d);
	return isnan(v) ? v : round(v * s) / s;
}

static void bind_num(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Bind row r to the verdicts INSERT (its 29 parameters, in the table's
 * column order). */
static void bind_row(sqlite3_stmt *s, const struct gs_trend_row *r, double t, int64_t cycles)
{
	sqlite3_bind_int64(s, 1, r->run_id);
	sqlite3_bind_int64(s, 2, r->metric_id);
	sqlite3_bind_double(s, 3, t);
	sqlite3_bind_int64(s, 4, cycles);
	sqlite3_bind_int64(s, 5, (int64_t)r->samples);
	bind_num(s, 6, round_to(r->span_s, 1));
	bind_num(s, 7, r->first_value);
	bind_num(s, 8, r->last_value);
	bind_num(s, 9, round_to(r->slope_per_hour, 3));
	bind_num(s, 10, round_to(r->slope_per_kcycle, 3));
	bind_num(s, 11, round_to(r->mean_per_hour, 3));
	bind_num(s, 12, round_to(r->mean_per_kcycle, 3));
	bind_num(s, 13, round_to(r->robust_slope, 3));
	bind_text(s, 14, r->per);
	sqlite3_bind_int64(s, 15, r->windows);
	bind_num(s, 16, round_to(r->window_s, 1));
	bind_num(s, 17, round_to(r->r2, 3));
	bind_num(s, 18, round_to(r->half1_slope, 3));
	bind_num(s, 19, round_to(r->half2_slope, 3));
	bind_text(s, 20, gs_verdict_name(r->verdict));
	bind_text(s, 21, r->workload);
	bind_num(s, 22, round_to(r->slope_per_kcycle_workload, 3));
	bind_text(s, 23, r->holder);
	bind_num(s, 24, round_to(r->confidence, 4));
	bind_text(s, 25, r->attribution);
	bind_text(s, 26, r->scope);
	bind_num(s, 27, round_to(r->threshold, 3));
	bind_num(s, 28, r->bound);
	bind_num(s, 29, r->max_value);
}

/* The run's last tick; 0 and *t, *cycles filled, 1 when it has none, -1. */
static int last_tick(sqlite3 *db, int64_t run_id, double *t, int64_t *cycles)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT t, cycles FROM ticks WHERE run_id = ? ORDER BY t DESC LIMIT 1", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*t = sqlite3_column_double(s, 0);
		*cycles = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* Write the rows in the open savepoint, and (history) a verdict_history
 * row for each verdict that changed; the history rows added, or -1. */
static long write_rows(sqlite3 *db, const struct gs_trend_row *rows, size_t n, double t, int64_t cycles,
		       bool history)
{
	sqlite3_stmt *old = NULL, *put = NULL, *hist = NULL;
	long changed = -1;
	if (sqlite3_prepare_v2(db, "SELECT verdict FROM verdicts WHERE run_id = ? AND metric_id = ?", -1, &old,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			       " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO verdict_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1,
			       &hist, NULL) != SQLITE_OK)
		goto done;
	changed = 0;
	for (size_t i = 0; i < n && changed >= 0; i++) {
		const struct gs_trend_row *r = &rows[i];
		const char *now = gs_verdict_name(r->verdict);
		char was[32] = "";
		sqlite3_reset(old);
		sqlite3_bind_int64(old, 1, r->run_id);
		sqlite3_bind_int64(old, 2, r->metric_id);
		int has_old = sqlite3_step(old) == SQLITE_ROW;
		if (has_old)
			snprintf(was, sizeof(was), "%s", (const char *)sqlite3_column_text(old, 0));
		sqlite3_reset(put);
		bind_row(put, r, t, cycles);
		if (sqlite3_step(put) != SQLITE_DONE) {
			changed = -1;
			break;
		}
		if (!history || (has_old && strcmp(was, now) == 0))
			continue;
		sqlite3_reset(hist);
		sqlite3_bind_int64(hist, 1, r->run_id);
		sqlite3_bind_int64(hist, 2, r->metric_id);
		sqlite3_bind_double(hist, 3, t);
		sqlite3_bind_int64(hist, 4, cycles);
		bind_text(hist, 5, has_old ? was : NULL);
		bind_text(hist, 6, now);
		bind_num(hist, 7, round_to(r->confidence, 4));
		bind_num(hist, 8, round_to(r->robust_slope, 3));
		changed = sqlite3_step(hist) == SQLITE_DONE ? changed + 1 : -1;
	}
done:
	sqlite3_finalize(old);
	sqlite3_finalize(put);
	sqlite3_finalize(hist);
	return changed;
}

/* FNV-1a over the n bytes of p, continuing from h. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	for (const unsigned char *c = p; n--; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	return h;
}

int gs_verdict_basis(sqlite3 *db, char *out, size_t len)
{
	/* every row of what a verdict is judged with, in a fixed order */
	static const char *const sql[] = {
		"SELECT * FROM trend_thresholds ORDER BY pattern",
		"SELECT * FROM trend_settings WHERE key <> 'window_s' ORDER BY key",
		"SELECT * FROM trend_window_steps ORDER BY k",
		"SELECT * FROM trend_holders ORDER BY 1",
		"SELECT * FROM trend_sizes ORDER BY 1",
		"SELECT * FROM trend_system ORDER BY 1",
	};
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *s;
		/* a table an older schema lacks (read in place, not migrated) */
		if (sqlite3_prepare_v2(db, sql[i], -1, &s, NULL) != SQLITE_OK) {
			if (!strstr(sqlite3_errmsg(db), "no such table"))
				return -1;
			h = fnv1a(h, "\2", 1);
			continue;
		}
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(s); c++) {
				const unsigned char *v = sqlite3_column_text(s, c);
				h = fnv1a(h, v ? (const char *)v : "\1NULL", v ? (size_t)sqlite3_column_bytes(s, c) : 5);
				h = fnv1a(h, "", 1); /* a separator no value holds */
			}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return -1;
		h = fnv1a(h, "\n", 1);
	}
	snprintf(out, len, "method %d, settings %016llx", GS_METHOD_VERSION, (unsigned long long)h);
	return 0;
}

/* Record the basis the run's verdicts were judged with, and the samples
 * it had then; 0 or -1. */
static int write_basis(sqlite3 *db, int64_t run_id, const char *basis, int64_t samples)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO verdict_basis(run_id, basis, samples) VALUES (?, ?, ?)", -1,
			       &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, basis, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, samples);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The findings of the rows, written beside them (analysis/findings-store.h),
 * their lows those st keeps (NULL: read in full). */
static int store_findings(sqlite3 *db, int64_t run_id, struct gs_run_state *st, const struct gs_trend_row *rows,
			  size_t n, double t, char *err, size_t errlen)
{
	struct gs_finding *f;
	size_t nf;
	if (gs_findings_of_rows(db, run_id, rows, n, st ? gs_run_state_lows(st) : NULL, &f, &nf, err, errlen))
		return -1;
	int r = gs_write_findings(db, run_id, t, f, nf, err, errlen);
	free(f);
	return r;
}

/* gs_store_verdicts, with (history) or without verdict_history rows,
 * judged from state st (NULL: a full judgement). */
static int store_run(sqlite3 *db, int64_t run_id, struct gs_run_state *st, bool history, size_t *changed,
		     char *err, size_t errlen)
{
	struct gs_trend_row *rows;
	size_t n;
	double t;
	int64_t cycles;
	if (changed)
		*changed = 0;
	int tick = last_tick(db, run_id, &t, &cycles);
	if (tick != 0) {
		if (tick < 0)
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return tick < 0 ? -1 : 0;
	}
	char basis[GS_BASIS_MAX];
	if (gs_verdict_basis(db, basis, sizeof(basis))) {
		snprintf(err, errlen, "verdicts: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (st ? gs_run_state_judge(st, db, &rows, &n, err, errlen) : gs_judge_run(db, run_id, &rows, &n, err, errlen))
		return -1;
	/* the state counts what it read; a full judgement counts now */
	int64_t samples = 0;
	if (st)
		samples = gs_run_state_samples(st);
	else if (gs_run_samples(db, run_id, &samples)) {
		snprintf(err, errlen, "verdicts: %s", sqlite3_errmsg(db));
		free(rows);
		return -1;
	}
	long r = -1;
	if (sqlite3_exec(db, "SAVEPOINT gs_verdicts", NULL, NULL, NULL) == SQLITE_OK) {
		r = write_rows(db, rows, n, t, cycles, history);
		if (r >= 0 && write_basis(db, run_id, basis, samples))
			r = -1;
		if (r < 0)
			snprintf(err, errlen, "verdicts: %s", sqlite3_errmsg(db));
		else if (store_findings(db, run_id, st, rows, n, t, err, errlen))
			r = -1;
		if (r < 0)
			sqlite3_exec(db, "ROLLBACK TO gs_verdicts", NULL, NULL, NULL);
		sqlite3_exec(db, "RELEASE gs_verdicts", NULL, NULL, NULL);
	} else {
		snprintf(err, errlen, "verdicts: %s", sqlite3_errmsg(db));
	}
	free(rows);
	if (r >= 0 && changed)
		*changed = (size_t)r;
	return r < 0 ? -1 : 0;
}

int gs_store_verdicts(sqlite3 *db, int64_t run_id, size_t *changed, char *err, size_t errlen)
{
	return store_run(db, run_id, NULL, true, changed, err, errlen);
}

int gs_store_state_verdicts(sqlite3 *db, int64_t run_id, struct gs_run_state *st, size_t *changed, char *err,
			    size_t errlen)
{
	return store_run(db, run_id, st, true, changed, err, errlen);
}

int gs_stale_runs(sqlite3 *db, int64_t skip, int64_t **runs, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char basis[GS_BASIS_MAX];
	*runs = NULL;
	*n = 0;
	/* A database read in place from before schema 0020 keeps no sample
	 * count: every run of it is judged again, as a NULL count would be. */
	bool counted = sqlite3_prepare_v2(db, "SELECT samples FROM verdict_basis", -1, &s, NULL) == SQLITE_OK;
	sqlite3_finalize(s);
	if (gs_verdict_basis(db, basis, sizeof(basis)) ||
	    sqlite3_prepare_v2(db, counted ?
			       "SELECT r.id FROM runs r WHERE r.id <> ?1 AND"
			       " (SELECT MAX(t) FROM ticks k WHERE k.run_id = r.id) IS NOT NULL AND"
			       " ((SELECT MAX(t) FROM ticks k WHERE k.run_id = r.id) >"
			       "  COALESCE((SELECT MIN(t) FROM verdicts v WHERE v.run_id = r.id), -1e300)"
			       "  OR (SELECT basis FROM verdict_basis b WHERE b.run_id = r.id) IS NOT ?2"
			       "  OR (SELECT samples FROM verdict_basis b WHERE b.run_id = r.id) IS NOT "
			       GS_RUN_SAMPLES("r.id") ") ORDER BY r.id" :
			       "SELECT r.id FROM runs r WHERE r.id <> ?1 AND"
			       " (SELECT MAX(t) FROM ticks k WHERE k.run_id = r.id) IS NOT NULL ORDER BY r.id",
			       -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "verdicts: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(s, 1, skip);
	sqlite3_bind_text(s, 2, basis, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t *m = realloc(*runs, (*n + 1) * sizeof(*m));
		if (!m)
			break;
		*runs = m;
		(*runs)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "verdicts: %s", rc == SQLITE_ROW ? "out of memory" : sqlite3_errmsg(db));
		free(*runs);
		*runs = NULL;
		return -1;
	}
	return 0;
}

int gs_store_stale_verdicts(sqlite3 *db, int64_t skip, size_t *judged, char *err, size_t errlen)
{
	int64_t *runs;
	size_t n, i = 0;
	if (judged)
		*judged = 0;
	if (gs_stale_runs(db, skip, &runs, &n, err, errlen))
		return -1;
	for (; i < n; i++)
		if (store_run(db, runs[i], NULL, false, NULL, err, errlen))
			break;
	free(runs);
	if (judged)
		*judged = i;
	return i < n ? -1 : 0;
}
