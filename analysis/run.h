/* The verdicts on every series of one run, read from the database: the
 * points leak_trends judges (trend_runs, trend_base), each series through
 * gs_judge_series, then what needs the run's other series: a byte total
 * leaking only with its count (trend_sizes), the attribution to a
 * workload by regression and by the probe's pauses, and the holder. One
 * row per
 * metric with points, in leak_trends' columns (db/TRENDS.md). */
#ifndef GS_ANALYSIS_RUN_H
#define GS_ANALYSIS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/series.h"
#include "common/metric-batch.h"

struct sqlite3;

/* One row of leak_trends, unrounded; NAN and NULL pointers for SQL NULL. */
struct gs_trend_row {
	int64_t run_id, metric_id;
	char metric[METRIC_NAME_MAX];
	double samples, span_s, first_value, last_value;
	double slope_per_hour, slope_per_kcycle, mean_per_hour, mean_per_kcycle, robust_slope;
	const char *per;            /* "kcycle" or "hour" */
	long windows;
	double window_s, r2, half1_slope, half2_slope;
	enum gs_verdict verdict;
	char workload[METRIC_NAME_MAX]; /* "" for NULL */
	double slope_per_kcycle_workload;
	const char *holder;         /* "kernel", "process", "mixed" or NULL */
	double confidence;
	const char *attribution;    /* "only-workload", "regression", "probe", "onset", "ambiguous" or NULL */
	char scope[16];
	double threshold, bound, max_value;
	struct gs_series_result res; /* everything the verdict was made of */
};

/* Judge run run_id of db. *rows (malloc'd, free it) gets one row per
 * metric with points, ordered by metric name; *nrows their number. 0,
 * or -1 with err filled. Reads only. The full judgement: the same as a
 * gs_run_state_judge on a new state. */
int gs_judge_run(struct sqlite3 *db, int64_t run_id, struct gs_trend_row **rows, size_t *nrows, char *err,
		 size_t errlen);

/* The samples run `run` (SQL) has had: the sum of its rollups' counts
 * in one width, which retention does not lower, so a sample added to a
 * tick already judged changes it. */
#define GS_RUN_SAMPLES(run) "(SELECT SUM(n) FROM rollups WHERE run_id = " run " AND width = 21600)"

/* GS_RUN_SAMPLES of run run_id into *n. 0, or -1 (SQLite's error on db). */
int gs_run_samples(struct sqlite3 *db, int64_t run_id, int64_t *n);

/* A run's judgement kept between rounds (incremental): the series'
 * points as last read, so that a round reads only what was written since
 * (the raw samples of the new ticks, or the rollup buckets they changed),
 * O(metrics) rows, not the run's history. The points one series has are
 * bounded by the run's base (trend_runs: raw samples up to
 * raw_max_points, then minute, hour, 6-hour rollups), so judging them
 * stays bounded too. */
struct gs_run_state;

/* A state for run run_id with nothing read yet; NULL when out of memory. */
struct gs_run_state *gs_run_state_new(int64_t run_id);
void gs_run_state_free(struct gs_run_state *st);
/* The heap st holds between judgements (its series and their points):
 * it grows with the run's rounds up to its base's bound and falls when
 * the base changes, so the daemon counts it apart from its own heap,
 * which must stay flat. 0 for NULL. */
size_t gs_run_state_bytes(const struct gs_run_state *st);

/* Bring st up to date with db (all the points again when the run's base
 * changed, else those written since the last call, a late round's
 * included) and judge the run as gs_judge_run does: the same rows. 0, or
 * -1 with err filled (st stays usable). Reads only. */
int gs_run_state_judge(struct gs_run_state *st, struct sqlite3 *db, struct gs_trend_row **rows, size_t *nrows,
		       char *err, size_t errlen);

/* GS_RUN_SAMPLES of st's run as of its last gs_run_state_judge: counted
 * once, then the samples of the ticks each judgement read added (a
 * sample added by hand to an older tick is not: the run's next reader
 * finds its verdicts stale, gs_stale_runs). */
int64_t gs_run_state_samples(const struct gs_run_state *st);

/* The lows of the run's metrics that st keeps for its findings
 * (analysis/lows-store.h), brought up to date by each
 * gs_run_state_judge: a metric's records once it has been asked for
 * (leaking), so a round reads only what it wrote. */
struct gs_lows_store;
struct gs_lows_store *gs_run_state_lows(struct gs_run_state *st);

#endif
