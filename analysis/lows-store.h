/* The lows of a run's metrics (analysis/lows.h) read from the database:
 * in full for one metric, or kept between rounds (a gs_lows_store, part
 * of the daemon's gs_run_state) so that a round reads only what it
 * wrote, whatever the run's length. */
#ifndef GS_ANALYSIS_LOWS_STORE_H
#define GS_ANALYSIS_LOWS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/lows.h"

struct sqlite3;

/* Add metric metric_id's raw samples of run run_id at ticks up to id
 * upto (in time order) to *raw, and its minute rollups' minima to
 * *minutes (empty, or freed by the caller). *first_tick (may be NULL)
 * gets the tick id of its first raw sample in time, 0 when none. 0, or
 * -1 with err filled. Reads only. */
int gs_lows_load(struct sqlite3 *db, int64_t run_id, int64_t metric_id, int64_t upto, struct gs_lows *raw,
		 struct gs_lows *minutes, int64_t *first_tick, char *err, size_t errlen);

struct gs_lows_store;

/* A store for run run_id, picking minute rollups as gs_lows_pick with
 * min_minutes; NULL when out of memory. */
struct gs_lows_store *gs_lows_store_new(int64_t run_id, size_t min_minutes);
void gs_lows_store_free(struct gs_lows_store *ls);
size_t gs_lows_store_bytes(const struct gs_lows_store *ls);

/* Bring the metrics ls keeps up to tick id upto (ticks ids only grow),
 * reading the ticks after since or after the last update's upto, the
 * later (ls has read those before, whatever since the caller has):
 * their raw samples and the minute rollups they changed. A metric whose
 * lows cannot follow (a round written late, its first raw sample pruned
 * while the raw samples are still what it reads) is forgotten, and read
 * in full when asked for next. 0, or -1 with err filled. */
int gs_lows_store_update(struct gs_lows_store *ls, struct sqlite3 *db, int64_t since, int64_t upto, char *err,
			 size_t errlen);

/* The lows of metric_id as of the last update (gs_lows_pick): read in
 * full the first time a metric is asked for, then kept. *out is ls's,
 * valid until the next call on ls. 0, or -1 with err filled. */
int gs_lows_store_get(struct gs_lows_store *ls, struct sqlite3 *db, int64_t metric_id, const struct gs_lows **out,
		      char *err, size_t errlen);

#endif
