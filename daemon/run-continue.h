/* Runs across restarts: a daemon restart continues the database's last run
 * (a `gap` event records the outage) when it is on the same host, device
 * and boot (the kernel's counters go on only there), with the same kernel
 * release and config text, was not merged in from another database, and
 * the user did not ask for a new run.
 * Counters restart at zero in a new process, so a continued run's cycles
 * carry on from its last tick. */
#ifndef GS_RUN_CONTINUE_H
#define GS_RUN_CONTINUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/store.h"

struct run_start {
	int64_t run_id;
	bool continued;
	uint64_t cycles_base;   /* add to the workloads' cycles in each tick */
	char why[256];          /* why a new run was started, or the gap */
};

/* Continue the last run or begin one at time `now`. 0, or -1 (store error). */
int run_start(struct store *st, const struct run_info *ri, bool force_new, double now,
	      struct run_start *out);

#endif
