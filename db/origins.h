/* The object origins (db/migrations/0016-object-origins.sql): what the
 * origins source saw alive each round, written as changes. */
#ifndef GS_DB_ORIGINS_H
#define GS_DB_ORIGINS_H

#include <stdint.h>

#include "common/origin-rows.h"
#include "db/store.h"

/* Write a round taken at t into run run_id: each stack once in
 * origin_stacks; in object_origins a row for each group whose alive
 * count or bytes differ from its last row, and a row of 0 for each group
 * alive at its last row and absent from r. The rows are states, not
 * increments, so a round that is not written loses nothing the next one
 * does not say. 0, or -1 with nothing written. */
int store_origins(struct store *st, int64_t run_id, double t, const struct origin_rows *r);

#endif
