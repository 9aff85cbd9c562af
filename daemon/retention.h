/* Raw samples are kept for `retention` (default 7 days); the rollups that
 * the trend views read are kept forever. Older events are folded: of each
 * run, source, kind and hour of the run, the first and last
 * RETENTION_KEEP_EVENTS stay and carry the count of the others (their
 * repeats), so a kernel breaking a promise every cycle keeps some 21 rows
 * an hour instead of thousands, and every count stays right. Pruning
 * runs at most hourly. */
#ifndef GS_RETENTION_H
#define GS_RETENTION_H

#include <stdint.h>

#include "db/store.h"

/* The events kept at each end of a run's source, kind and hour. */
#define RETENTION_KEEP_EVENTS 10

struct retention {
	double keep_s;
	double next_t;   /* the run's time (daemon/run-clock.h) of the next prune */
};

void retention_init(struct retention *r, int64_t keep_ms);
/* Prune when due, now being the run's time (never the wall clock: a step
 * forward would age every sample); returns the samples deleted plus the
 * events folded, or -1 on a store error. */
int64_t retention_tick(struct retention *r, struct store *st, double now);

#endif
