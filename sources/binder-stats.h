/* Parsers of binder's debugfs files (drivers/android/binder.c), pure so
 * that unit tests and fuzzers can feed them real-format text. */
#ifndef GS_BINDER_STATS_H
#define GS_BINDER_STATS_H

#include <stdint.h>

/* binder/stats: the totals ("node: active A total T", live objects of
 * the whole driver) and the per-process blocks ("proc PID" then
 * "  threads: N", "  nodes: N", "  refs: N s S w W", "  buffers: N",
 * "  pending transactions: N"): their sums and the largest of one process. */
struct binder_stats {
	uint64_t procs, threads, nodes, refs, deaths, transactions;  /* active, driver totals */
	uint64_t buffers, pending;       /* summed over processes */
	uint64_t max_threads, max_nodes, max_refs, max_buffers;  /* of one process */
};
/* 0, or -EINVAL when the text does not start with "binder stats:". */
int parse_binder_stats(const char *text, struct binder_stats *out);

/* binder/state: the nodes listed under "dead nodes:" (nodes whose process
 * is gone that references still hold). -EINVAL when not "binder state:". */
int parse_binder_dead_nodes(const char *text, uint64_t *dead);

#endif
