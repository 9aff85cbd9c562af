#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bench/rollup-writer.h"

/* One bucket being summed, as the trigger's upserts leave its row. */
struct bucket {
	int64_t metric_id, start, n, c0, c1;
	double vmin, vmax, vsum, t0, t1, first, last;
};

#define MAX_WIDTHS 8

struct rollup_writer {
	sqlite3 *db;
	sqlite3_stmt *put;
	int64_t run_id;
	char *trigger;            /* its CREATE statement */
	int64_t width[MAX_WIDTHS];
	size_t nwidths, nmetrics;
	struct bucket *open;      /* [metric * nwidths + width], n 0 when none */
};

static int db_error(struct rollup_writer *w, char *err, size_t errlen)
{
	snprintf(err, errlen, "rollups: %s", sqlite3_errmsg(w->db));
	return -1;
}

static void free_writer(struct rollup_writer *w)
{
	sqlite3_finalize(w->put);
	free(w->trigger);
	free(w->open);
	free(w);
}

/* The trigger's statement and the widths; 0, -1. */
static int read_schema(struct rollup_writer *w, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(w->db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'samples_rollup'",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(w, err, errlen);
	if (sqlite3_step(s) == SQLITE_ROW)
		w->trigger = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (!w->trigger) {
		snprintf(err, errlen, "rollups: no trigger samples_rollup in the database");
		return -1;
	}
	if (sqlite3_prepare_v2(w->db, "SELECT width FROM rollup_widths", -1, &s, NULL) != SQLITE_OK)
		return db_error(w, err, errlen);
	while (sqlite3_step(s) == SQLITE_ROW && w->nwidths < MAX_WIDTHS)
		w->width[w->nwidths++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

struct rollup_writer *rollup_writer_begin(sqlite3 *db, int64_t run_id, size_t nmetrics, char *err, size_t errlen)
{
	struct rollup_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*w = (struct rollup_writer){ .db = db, .run_id = run_id, .nmetrics = nmetrics };
	if (read_schema(w, err, errlen))
		goto fail;
	if (!(w->open = calloc(nmetrics * w->nwidths + 1, sizeof(*w->open)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO rollups(run_id, width, metric_id, bucket, vmin, vmax, vsum, n,"
			       " t0, t1, c0, c1, first, last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
			       " ?12, ?13, ?14)", -1, &w->put, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "DROP TRIGGER samples_rollup", NULL, NULL, NULL) != SQLITE_OK) {
		db_error(w, err, errlen);
		goto fail;
	}
	return w;
fail:
	free_writer(w);
	return NULL;
}

/* Write bucket b of width; 0, -1. */
static int flush(struct rollup_writer *w, int64_t width, const struct bucket *b, char *err, size_t errlen)
{
	sqlite3_stmt *p = w->put;
	sqlite3_reset(p);
	sqlite3_bind_int64(p, 1, w->run_id);
	sqlite3_bind_int64(p, 2, width);
	sqlite3_bind_int64(p, 3, b->metric_id);
	sqlite3_bind_int64(p, 4, b->start);
	sqlite3_bind_double(p, 5, b->vmin);
	sqlite3_bind_double(p, 6, b->vmax);
	sqlite3_bind_double(p, 7, b->vsum);
	sqlite3_bind_int64(p, 8, b->n);
	sqlite3_bind_double(p, 9, b->t0);
	sqlite3_bind_double(p, 10, b->t1);
	sqlite3_bind_int64(p, 11, b->c0);
	sqlite3_bind_int64(p, 12, b->c1);
	sqlite3_bind_double(p, 13, b->first);
	sqlite3_bind_double(p, 14, b->last);
	return sqlite3_step(p) == SQLITE_DONE ? 0 : db_error(w, err, errlen);
}

int rollup_writer_add(struct rollup_writer *w, size_t m, int64_t metric_id, double t, int64_t cycles, double v,
		      char *err, size_t errlen)
{
	for (size_t i = 0; i < w->nwidths; i++) {
		struct bucket *b = &w->open[m * w->nwidths + i];
		/* the trigger's CAST(t / width AS INTEGER) * width */
		int64_t start = (int64_t)(t / (double)w->width[i]) * w->width[i];
		if (b->n > 0 && b->start != start) {
			if (flush(w, w->width[i], b, err, errlen))
				return -1;
			b->n = 0;
		}
		if (b->n == 0) {
			*b = (struct bucket){ .metric_id = metric_id, .start = start, .n = 1, .c0 = cycles, .c1 = cycles,
					      .vmin = v, .vmax = v, .vsum = v, .t0 = t, .t1 = t, .first = v, .last = v };
			continue;
		}
		/* as the trigger's ON CONFLICT DO UPDATE, in the same order */
		b->vmin = v < b->vmin ? v : b->vmin;
		b->vmax = v > b->vmax ? v : b->vmax;
		b->vsum = b->vsum + v;
		b->n++;
		b->t1 = t;
		b->c1 = cycles;
		b->last = v;
	}
	return 0;
}

int rollup_writer_end(struct rollup_writer *w, char *err, size_t errlen)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < w->nmetrics * w->nwidths; i++)
		if (w->open[i].n > 0)
			r = flush(w, w->width[i % w->nwidths], &w->open[i], err, errlen);
	if (sqlite3_exec(w->db, w->trigger, NULL, NULL, NULL) != SQLITE_OK && r == 0)
		r = db_error(w, err, errlen);
	free_writer(w);
	return r;
}
