/* Behavioural probes for `gemsoak kernel check --running --behaviour`: run
 * the race a fix closes for a few seconds on the real device and see
 * whether the kernel's counters come back to where they were. */
#ifndef GS_KERNEL_PROBE_H
#define GS_KERNEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gs_probe_env {
	const char *device;     /* a /dev/dri node or "auto" */
	const char *debugfs;    /* /sys/kernel/debug */
	double seconds;         /* how long each probe races */
	int threads;
};

struct gs_probe_result {
	bool ran;               /* false: why says what was missing */
	uint64_t cycles;        /* race iterations done */
	uint64_t leaked;        /* counter growth after everything was closed,
	                         * or the broken promises (flink-name-race) */
	char why[512];          /* the counter and device, or why it did not run */
};

/* The probes there are: "flink-close-race" (flink vs GEM_CLOSE; leaked
 * flink names in gem_names), "export-close-race" (PRIME export vs
 * GEM_CLOSE; leaked dma-bufs in dma_buf/bufinfo), "prime-cache-release"
 * (export and close on one file; dma-bufs the open file still keeps) and
 * "flink-name-race" (GEM_OPEN vs GEM_CLOSE of name 1; handles whose object
 * flinks to another name, counted in leaked). */
bool gs_probe_known(const char *name);
void gs_probe_run(const char *name, const struct gs_probe_env *env, struct gs_probe_result *r);

/* The counter a probe watches, from its debugfs text: the number of flink
 * names (gem_names) or of dma-bufs (bufinfo). -1 when TEXT is not that. */
int64_t gs_probe_count(const char *name, const char *text);

#endif
