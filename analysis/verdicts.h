/* The engine's verdicts kept in the database (tables verdicts and
 * verdict_history, schema 0009): what the daemon writes as a run goes on,
 * and what the CLI writes for a run no daemon updates. */
#ifndef GS_ANALYSIS_VERDICTS_H
#define GS_ANALYSIS_VERDICTS_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;

/* Judge run run_id (gs_judge_run) and write every row into verdicts, as
 * of the run's last tick (its t and cycles), with leak_trends' rounding;
 * each verdict that changed (or is the first) gets a verdict_history row,
 * and the run's findings (analysis/findings-store.h) are rewritten.
 * One savepoint: all or nothing, inside the caller's transaction if one
 * is open. *changed (may be NULL) gets the number of history rows added.
 * 0 (also for a run without ticks: nothing to judge), or -1 with err
 * filled. */
int gs_store_verdicts(struct sqlite3 *db, int64_t run_id, size_t *changed, char *err, size_t errlen);

#endif
