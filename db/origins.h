/* The object origins (db/migrations/0016-object-origins.sql): what the
 * origins source saw alive each round, written as changes. */
#ifndef GS_DB_ORIGINS_H
#define GS_DB_ORIGINS_H

#include <stdint.h>

#include "common/origin-rows.h"
#include "db/store.h"

struct sqlite3;

/* Write a round taken at t into run run_id: each stack once in
 * origin_stacks; in object_origins a row for each group whose alive
 * count or bytes differ from its last row, and a row of 0 for each group
 * alive at its last row and absent from r. The rows are states, not
 * increments, so a round that is not written loses nothing the next one
 * does not say. 0, or -1 with nothing written. */
int store_origins(struct store *st, int64_t run_id, double t, const struct origin_rows *r);

/* Whether the database has the origins' tables (schema 0016 or later):
 * 1, 0, or -1 on an error. */
int store_origins_recorded(struct sqlite3 *db);

/* One origin of a run (a kind, workload, process name and stack) at a
 * baseline and at the end; the strings last until the next row. */
struct origin_growth {
	const char *kind, *workload, *comm, *stack;
	double base;  /* alive at its last row at or before the baseline; 0 when it had none by then */
	double alive; /* alive at its latest row */
};

/* Each origin of kind in run `run` (every one with a row) handed to
 * row(arg, g), the baseline being `since` seconds after the run's start,
 * or the run's first row of origins when the tracing began later (NAN:
 * none, every base 0). A row's non-zero return stops the reading
 * and is returned. 0, or -1 with err filled. Reads only. */
int store_origins_since(struct sqlite3 *db, int64_t run, const char *kind, double since,
			int (*row)(void *arg, const struct origin_growth *g), void *arg, char *err, size_t errlen);

#endif
