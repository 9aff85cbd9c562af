#include "daemon/retention.h"

#define PRUNE_EVERY_S 3600.0

void retention_init(struct retention *r, int64_t keep_ms)
{
	r->keep_s = (double)keep_ms / 1000.0;
	r->next_t = 0; /* the first round prunes what an old run left */
}

int64_t retention_tick(struct retention *r, struct store *st, double now)
{
	if (now < r->next_t)
		return 0;
	r->next_t = now + PRUNE_EVERY_S;
	int64_t deleted, folded;
	if (store_prune_samples(st, now - r->keep_s, &deleted) ||
	    store_prune_events(st, now - r->keep_s, RETENTION_KEEP_EVENTS, &folded))
		return -1;
	return deleted + folded;
}
