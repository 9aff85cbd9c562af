#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analysis/lows-store.h"
#include "common/util.h"

static int sql_error(sqlite3 *db, sqlite3_stmt *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "lows: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return -1;
}

static int out_of_memory(sqlite3_stmt *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	sqlite3_finalize(s);
	return -1;
}

int gs_lows_load(sqlite3 *db, int64_t run_id, int64_t metric_id, int64_t upto, struct gs_lows *raw,
		 struct gs_lows *minutes, int64_t *first_tick, char *err, size_t errlen)
{
	static const char *const sql[2] = {
		"SELECT k.t, s.value, k.id FROM ticks k JOIN samples s ON s.tick_id = k.id"
		" WHERE k.run_id = ?1 AND s.metric_id = ?2 AND k.id <= ?3 ORDER BY k.t",
		"SELECT t0, vmin FROM rollups WHERE run_id = ?1 AND width = 60 AND metric_id = ?2 ORDER BY t0",
	};
	struct gs_lows *to[2] = { raw, minutes };
	if (first_tick)
		*first_tick = 0;
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(db, sql[i], -1, &s, NULL) != SQLITE_OK)
			return sql_error(db, NULL, err, errlen);
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, metric_id);
		if (i == 0)
			sqlite3_bind_int64(s, 3, upto);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (i == 0 && first_tick && to[i]->points == 0)
				*first_tick = sqlite3_column_int64(s, 2);
			if (gs_lows_add(to[i], sqlite3_column_double(s, 0), sqlite3_column_double(s, 1)) < 0)
				return out_of_memory(s, err, errlen);
		}
		if (rc != SQLITE_DONE)
			return sql_error(db, s, err, errlen);
		sqlite3_finalize(s);
	}
	return 0;
}

/* One metric's lows kept between rounds. */
struct kept {
	int64_t metric_id;
	struct gs_lows raw, minutes;
	int64_t first_tick;     /* its first raw sample's tick */
	bool raw_retired;       /* pruned, the minutes picked from then on */
	bool lost;              /* cannot follow: read in full when asked for */
};

struct gs_lows_store {
	int64_t run_id;
	size_t min_minutes;
	int64_t upto;           /* the last update's tick */
	double t_max;           /* the run's latest tick up to upto */
	struct kept *k;
	size_t n, cap;
};

struct gs_lows_store *gs_lows_store_new(int64_t run_id, size_t min_minutes)
{
	struct gs_lows_store *ls = calloc(1, sizeof(*ls));
	if (ls)
		*ls = (struct gs_lows_store){ .run_id = run_id, .min_minutes = min_minutes, .t_max = -INFINITY };
	return ls;
}

static void forget(struct kept *k)
{
	gs_lows_free(&k->raw);
	gs_lows_free(&k->minutes);
	k->lost = true;
}

void gs_lows_store_free(struct gs_lows_store *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->n; i++)
		forget(&ls->k[i]);
	free(ls->k);
	free(ls);
}

size_t gs_lows_store_bytes(const struct gs_lows_store *ls)
{
	if (!ls)
		return 0;
	size_t b = sizeof(*ls) + ls->cap * sizeof(*ls->k);
	for (size_t i = 0; i < ls->n; i++)
		b += gs_lows_bytes(&ls->k[i].raw) + gs_lows_bytes(&ls->k[i].minutes);
	return b;
}

/* The kept metric metric_id (ls->k is in metric id order), NULL. */
static struct kept *find(struct gs_lows_store *ls, int64_t metric_id, size_t *at)
{
	size_t lo = lower_bound_i64(ls->k, ls->n, sizeof(*ls->k), offsetof(struct kept, metric_id), metric_id);
	if (at)
		*at = lo;
	return lo < ls->n && ls->k[lo].metric_id == metric_id ? &ls->k[lo] : NULL;
}

/* The run's ticks after since up to upto: their earliest and latest t
 * (NAN when none). 0, -1. */
static int new_ticks(struct gs_lows_store *ls, sqlite3 *db, int64_t since, int64_t upto, double *lo, double *hi,
		     char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT MIN(t), MAX(t) FROM ticks WHERE +run_id = ?1 AND id > ?2 AND id <= ?3",
			       -1, &s, NULL) != SQLITE_OK)
		return sql_error(db, NULL, err, errlen);
	sqlite3_bind_int64(s, 1, ls->run_id);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, upto);
	*lo = *hi = NAN;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sql_error(db, s, err, errlen);
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		*lo = sqlite3_column_double(s, 0), *hi = sqlite3_column_double(s, 1);
	sqlite3_finalize(s);
	return 0;
}

/* What the new ticks (after since, up to upto, from time t on) wrote of
 * each kept metric: its raw samples, in the order they were taken; its
 * minute rollups from the bucket before t on, a bucket after the last
 * one kept added, the last one's minimum replaced. A metric whose lows
 * cannot follow is forgotten. */
static int add_new(struct gs_lows_store *ls, sqlite3 *db, int64_t since, int64_t upto, double t, char *err,
		   size_t errlen)
{
	static const char *const sql[2] = {
		"SELECT k.t, s.value FROM samples s CROSS JOIN ticks k WHERE s.metric_id = ?2 AND s.tick_id > ?3"
		" AND s.tick_id <= ?4 AND k.id = s.tick_id AND k.run_id = ?1 ORDER BY s.tick_id",
		"SELECT t0, vmin FROM rollups WHERE run_id = ?1 AND width = 60 AND metric_id = ?2 AND bucket >= ?5 - 60"
		" ORDER BY bucket",
	};
	for (int q = 0; q < 2; q++) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(db, sql[q], -1, &s, NULL) != SQLITE_OK)
			return sql_error(db, NULL, err, errlen);
		for (size_t i = 0; i < ls->n; i++) {
			struct kept *k = &ls->k[i];
			struct gs_lows *l = q == 0 ? &k->raw : &k->minutes;
			if (k->lost || (q == 0 && k->raw_retired))
				continue;
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, ls->run_id);
			sqlite3_bind_int64(s, 2, k->metric_id);
			if (q == 0)
				sqlite3_bind_int64(s, 3, since), sqlite3_bind_int64(s, 4, upto);
			else
				sqlite3_bind_double(s, 5, t);
			int rc, r = 0;
			while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
				double tp = sqlite3_column_double(s, 0), v = sqlite3_column_double(s, 1);
				if (q == 0)
					r = gs_lows_add(l, tp, v);
				else if (l->points > 0 && tp == l->t_last)
					r = gs_lows_replace_last(l, v);
				else if (l->points == 0 || tp > l->t_last)
					r = gs_lows_add(l, tp, v);
			}
			if (r < 0)
				return out_of_memory(s, err, errlen);
			if (r > 0)
				forget(k);
			else if (rc != SQLITE_DONE)
				return sql_error(db, s, err, errlen);
		}
		sqlite3_finalize(s);
	}
	return 0;
}

/* Whether kept metric k's first raw sample is still in the database. */
static int first_kept(sqlite3 *db, const struct kept *k, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM samples WHERE metric_id = ?1 AND tick_id = ?2", -1, &s, NULL) !=
	    SQLITE_OK)
		return sql_error(db, NULL, err, errlen);
	sqlite3_bind_int64(s, 1, k->metric_id);
	sqlite3_bind_int64(s, 2, k->first_tick);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(db, NULL, err, errlen);
	return rc == SQLITE_ROW;
}

/* Retention pruned the first raw samples of the kept metrics: the minute
 * rollups, which start no later, are what a finding reads from then on
 * when there are enough of them; else read the metric in full again. */
static int pruned(struct gs_lows_store *ls, sqlite3 *db, char *err, size_t errlen)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct kept *k = &ls->k[i];
		if (k->lost || k->raw_retired || k->raw.points == 0)
			continue;
		int r = first_kept(db, k, err, errlen);
		if (r < 0)
			return -1;
		if (r)
			continue;
		if (k->minutes.points >= ls->min_minutes && k->minutes.t_first <= k->raw.t_first) {
			gs_lows_free(&k->raw);
			k->raw_retired = true;
		} else {
			forget(k);
		}
	}
	return 0;
}

/* The run's latest tick up to now, by its index; -INFINITY when none. */
static int latest(struct gs_lows_store *ls, sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT MAX(t) FROM ticks WHERE run_id = ?1", -1, &s, NULL) != SQLITE_OK)
		return sql_error(db, NULL, err, errlen);
	sqlite3_bind_int64(s, 1, ls->run_id);
	if (sqlite3_step(s) != SQLITE_ROW)
		return sql_error(db, s, err, errlen);
	ls->t_max = sqlite3_column_type(s, 0) == SQLITE_NULL ? -INFINITY : sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int gs_lows_store_update(struct gs_lows_store *ls, sqlite3 *db, int64_t since, int64_t upto, char *err,
			 size_t errlen)
{
	double lo, hi;
	/* the ticks up to the last update are in: a caller starting again
	 * from 0 (the run's base changed) would otherwise make every kept
	 * metric look written late, and be read in full again */
	since = since > ls->upto ? since : ls->upto;
	if (upto <= since)
		return 0;
	ls->upto = upto;
	if (ls->n == 0)
		return latest(ls, db, err, errlen);
	if (new_ticks(ls, db, since, upto, &lo, &hi, err, errlen))
		return -1;
	if (isnan(lo))
		return 0;
	if (lo < ls->t_max) {
		/* a round written late: every kept metric may have changed */
		for (size_t i = 0; i < ls->n; i++)
			forget(&ls->k[i]);
	}
	ls->t_max = fmax(ls->t_max, hi);
	if (add_new(ls, db, since, upto, lo, err, errlen))
		return -1;
	return pruned(ls, db, err, errlen);
}

int gs_lows_store_get(struct gs_lows_store *ls, sqlite3 *db, int64_t metric_id, const struct gs_lows **out,
		      char *err, size_t errlen)
{
	size_t at;
	struct kept *k = find(ls, metric_id, &at);
	if (!k) {
		if (ls->n == ls->cap) {
			size_t cap = ls->cap ? 2 * ls->cap : 8;
			struct kept *n = realloc(ls->k, cap * sizeof(*n));
			if (!n) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			ls->k = n;
			ls->cap = cap;
		}
		memmove(&ls->k[at + 1], &ls->k[at], (ls->n - at) * sizeof(*ls->k));
		ls->n++;
		k = &ls->k[at];
		*k = (struct kept){ .metric_id = metric_id, .lost = true };
	}
	if (k->lost) {
		*k = (struct kept){ .metric_id = metric_id };
		if (gs_lows_load(db, ls->run_id, metric_id, ls->upto, &k->raw, &k->minutes, &k->first_tick, err,
				 errlen)) {
			forget(k);
			return -1;
		}
	}
	*out = gs_lows_pick(&k->raw, &k->minutes, ls->min_minutes);
	return 0;
}
