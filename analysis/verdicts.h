/* The engine's verdicts kept in the database (tables verdicts and
 * verdict_history, schema 0009; verdict_basis, 0013): what the daemon
 * writes as a run goes on, and what gemsoak-synth, merge and the CLI write
 * for a run no daemon updates. leak_trends (db/views/) reads them. */
#ifndef GS_ANALYSIS_VERDICTS_H
#define GS_ANALYSIS_VERDICTS_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;

/* The version of the method: raise it with any change to what the engine
 * decides (a rule, a kernel, a default), so that verdicts stored by an
 * earlier gemsoak are judged again (docs/DEVELOPING.md, "Changing the
 * detector"). */
#define GS_METHOD_VERSION 6 /* 2: warm-up, byte totals by their counts, no stable after an onset;
				* 3: a late onset judged on the cycles of the workload that started it;
				* 4: the machine's memory leaks only with DRM's or by an intervention;
				* 5: a leak on cycles rises in both halves of the work;
				* 6: a finding is the workload's whose processes made its traced objects */

/* Room for a basis string. */
#define GS_BASIS_MAX 64

/* What verdicts judged now on db are judged with: the method's version and
 * a digest of the database's trend_thresholds, trend_settings (window_s
 * aside: the floor window is found from the data), trend_window_steps and
 * trend_holders, as text into out. 0, or -1 (SQLite's error on db). */
int gs_verdict_basis(struct sqlite3 *db, char *out, size_t len);

/* Judge run run_id (gs_judge_run) and write every row into verdicts, as
 * of the run's last tick (its t and cycles), with leak_trends' rounding;
 * each verdict that changed (or is the first) gets a verdict_history row,
 * verdict_basis the basis it was judged with, and the run's findings
 * (analysis/findings-store.h) are rewritten. One savepoint: all or
 * nothing, inside the caller's transaction if one
 * is open. *changed (may be NULL) gets the number of history rows added.
 * 0 (also for a run without ticks: nothing to judge), or -1 with err
 * filled. */
int gs_store_verdicts(struct sqlite3 *db, int64_t run_id, size_t *changed, char *err, size_t errlen);

/* The same, judged from st (analysis/run.h: gs_run_state_judge, a state
 * of run run_id kept by the caller between rounds): what the daemon does
 * each round, reading only what the round added. */
struct gs_run_state;
int gs_store_state_verdicts(struct sqlite3 *db, int64_t run_id, struct gs_run_state *st, size_t *changed,
			    char *err, size_t errlen);

/* The runs of db but skip (0: none) that have ticks and whose stored
 * verdicts are missing, older than their last tick, of another basis
 * (gs_verdict_basis), or judged on fewer or more samples than the run has
 * now (gs_run_samples): a run no daemon judged to its end (recorded by an
 * older gemsoak, merged, synthetic, its daemon stopped before judging),
 * judged with other thresholds or method, or given samples by hand. *runs (malloc'd, free it) gets
 * them in order, *n their number. 0, or -1 with err filled. */
int gs_stale_runs(struct sqlite3 *db, int64_t skip, int64_t **runs, size_t *n, char *err, size_t errlen);

/* Judge and store the verdicts of every run gs_stale_runs lists, each
 * with the basis it was judged with (verdict_basis). The verdicts are
 * judged after the fact, not as the run went on: no verdict_history rows.
 * Each run in its own savepoint. *judged (may be NULL) gets the number of
 * runs judged. 0, or -1 with err filled (the runs before it stay judged). */
int gs_store_stale_verdicts(struct sqlite3 *db, int64_t skip, size_t *judged, char *err, size_t errlen);

#endif
