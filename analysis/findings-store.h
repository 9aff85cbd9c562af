/* A run's findings (analysis/findings.h) from its verdicts, and the
 * table findings (schema 0014) that keeps them. */
#ifndef GS_ANALYSIS_FINDINGS_STORE_H
#define GS_ANALYSIS_FINDINGS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/findings.h"
#include "analysis/lows-store.h"
#include "analysis/run.h"

struct sqlite3;

/* The minute rollups a finding's lows need before they are read instead
 * of the raw samples (gs_lows_pick). */
#define GS_LOWS_MIN_MINUTES (3 * GS_LEVELS)

/* The findings of run run_id from its judged rows (gs_judge_run): the
 * leaking kernel metrics with their units, and their onsets and floors
 * from their lows (analysis/lows.h): those ls keeps between rounds
 * (gs_run_state_lows), or read in full when ls is NULL; a finding whose
 * traced objects grew from one workload's processes is that workload's
 * (analysis/finding-origin.h, gs_origin_workload). *out (malloc'd,
 * free it; may be NULL when *n is 0) and *n. 0, or -1 with err filled.
 * Reads only. */
int gs_findings_of_rows(struct sqlite3 *db, int64_t run_id, const struct gs_trend_row *rows, size_t nrows,
			struct gs_lows_store *ls, struct gs_finding **out, size_t *n, char *err, size_t errlen);

/* The origins of kind in run run_id (store_origins_since, db/origins.h),
 * for gs_pick_origin and gs_origin_share: each with its alive count at
 * the end and at its last row at or before `since` seconds after the
 * run's start, or when the tracing began if later (0 when it had none by
 * then, or since is NAN). *out
 * (malloc'd with its strings: gs_origins_free) and *n. 0, or -1 with
 * err filled. */
struct gs_origin;
int gs_origins_since(struct sqlite3 *db, int64_t run_id, const char *kind, double since, struct gs_origin **out,
		     size_t *n, char *err, size_t errlen);
void gs_origins_free(struct gs_origin *o, size_t n);

/* Replace run run_id's rows of findings with f (n of them), as of time
 * t. 0, or -1 with err filled. The caller holds the transaction. */
int gs_write_findings(struct sqlite3 *db, int64_t run_id, double t, const struct gs_finding *f, size_t n,
		      char *err, size_t errlen);

/* Run run_id's rows of the table findings as they are, judging nothing
 * (for the daemon, which writes them with its verdicts). 0, or -1 with
 * err filled. */
int gs_read_findings(struct sqlite3 *db, int64_t run_id, struct gs_finding **out, size_t *n, char *err,
		     size_t errlen);

/* The findings of run run_id as of its last tick: the table's when they
 * are as new as the run's last tick, else judged now (gs_judge_run),
 * without writing. For readers. 0, or -1 with err filled. */
int gs_load_findings(struct sqlite3 *db, int64_t run_id, struct gs_finding **out, size_t *n, char *err,
		     size_t errlen);

#endif
