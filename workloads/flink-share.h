/* flink-share's pieces, shared with the canary (which adds only a leak). */
#ifndef GS_FLINK_SHARE_H
#define GS_FLINK_SHARE_H

#include "workloads/workload.h"

#define MAX_PRODUCERS 32 /* a consumer keeps 1 + P fds (WL_MAX_FDS) */

#define FLINK_SHARE_KEYS \
	{ "producers", WK_INT, 1, MAX_PRODUCERS, 1, "producer processes (create, flink, close)" }, \
	{ "consumers", WK_INT, 1, 1024, 2, "consumer processes (open, map, close)" }, \
	{ "map_every", WK_INT, 0, 1000000, 1, "consumers map and touch every Nth object; 0 = never" }, \
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED

/* The process layout and channels, shared by flink-share and the canary. */
#define FLINK_SHARE_PROCESSES \
	.nprocs = flink_share_nprocs, .setup = flink_share_setup, \
	.fds = flink_share_fds, .teardown = flink_share_teardown

int flink_share_nprocs(const struct wl_config *cfg);
void *flink_share_setup(const struct wl_config *cfg);
int flink_share_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max);
void flink_share_teardown(void *chan);
/* Producer or consumer by index; producers keep every leak_every-th
 * handle open (0 = never). Does not return. */
void flink_share_run_roles(struct wl_proc *p, int64_t leak_every) __attribute__((noreturn));

#endif
