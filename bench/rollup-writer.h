/* The rollups of a generated run written in bulk (gemsoak-synth): the
 * store's trigger (samples_rollup, schema 0004) upserts a row of each
 * width for every sample, four B-tree writes a sample, most of a month's
 * writing time; here each bucket is summed in memory, in the order the
 * trigger sums it, and written once when the run leaves it, so the
 * rollups table holds the same rows (tests/integration/synth-rollups.sh).
 * The trigger is dropped while the writer is open and put back, as it
 * was, when it ends. */
#ifndef GS_BENCH_ROLLUP_WRITER_H
#define GS_BENCH_ROLLUP_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct rollup_writer;

/* Take over run run_id's rollups of nmetrics metrics (0 to nmetrics - 1,
 * their ids given to rollup_writer_add) at the widths of rollup_widths.
 * NULL with err filled. */
struct rollup_writer *rollup_writer_begin(struct sqlite3 *db, int64_t run_id, size_t nmetrics, char *err,
					  size_t errlen);

/* The sample of metric m (index), id metric_id, at the tick at time t
 * after cycles, of value v; ticks in time order. 0, or -1 with err. */
int rollup_writer_add(struct rollup_writer *w, size_t m, int64_t metric_id, double t, int64_t cycles, double v,
		      char *err, size_t errlen);

/* Write the buckets still open, put the trigger back and free w (also on
 * error). 0, or -1 with err filled. */
int rollup_writer_end(struct rollup_writer *w, char *err, size_t errlen);

#endif
