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

#include "daemon/run-clock.h"
#include "db/store.h"

struct run_start {
	int64_t run_id;
	bool continued;
	uint64_t cycles_base;   /* add to the workloads' cycles in each tick */
	struct run_clock clock; /* the run's own clock (daemon/run-clock.h) */
	char why[512];          /* why a new run was started, or the gap */
};

/* Continue the last run or begin one, the wall clock reading `now` and
 * CLOCK_BOOTTIME `boot`. A new run's clock starts at now; a continued
 * run keeps the clock recorded with it, so the gap is the time elapsed
 * since its last tick whatever the wall clock did meanwhile (a run
 * without one, written before, goes on from its last tick or now,
 * whichever is later). 0, or -1 (store error). */
int run_start(struct store *st, const struct run_info *ri, bool force_new, double now, double boot,
	      struct run_start *out);

#endif
