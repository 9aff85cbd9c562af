/* Raw samples are kept for `retention` (default 7 days); the rollups that
 * the trend views read are kept forever. Pruning runs at most hourly. */
#ifndef GS_RETENTION_H
#define GS_RETENTION_H

#include <stdint.h>

#include "db/store.h"

struct retention {
	double keep_s;
	double next_t;   /* the run's time (daemon/run-clock.h) of the next prune */
};

void retention_init(struct retention *r, int64_t keep_ms);
/* Prune when due, now being the run's time (never the wall clock: a step
 * forward would age every sample); returns the samples deleted, or -1 on
 * a store error. */
int64_t retention_tick(struct retention *r, struct store *st, double now);

#endif
