/* The backlog: sampling rounds the store could not take (disk full,
 * database read-only, locked) wait here, oldest first, and are written
 * when the store is back. It is bounded; when full the oldest round is
 * dropped and counted, never silently. */
#ifndef GS_BACKLOG_H
#define GS_BACKLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/metric-batch.h"

struct backlog_entry {
	double t;
	uint64_t cycles;
	struct metric_batch batch;
};

struct backlog {
	struct backlog_entry *ring;
	size_t cap, head, len;
	uint64_t dropped;   /* rounds dropped: the backlog full, or refused for good */
};

int backlog_init(struct backlog *bl, size_t cap);
void backlog_free(struct backlog *bl);
/* Copy a round in; drops the oldest when full. -ENOMEM if the copy fails
 * (then the round itself is counted as dropped). */
int backlog_push(struct backlog *bl, double t, uint64_t cycles, const struct metric_batch *b);
/* The oldest round, or NULL; backlog_pop() removes it (written), and
 * backlog_drop() removes it counted as dropped (it cannot be written). */
const struct backlog_entry *backlog_peek(const struct backlog *bl);
void backlog_pop(struct backlog *bl);
void backlog_drop(struct backlog *bl);
/* The newest round, or NULL. */
const struct backlog_entry *backlog_newest(const struct backlog *bl);

#endif
