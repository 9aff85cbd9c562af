#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/backlog.h"

int backlog_init(struct backlog *bl, size_t cap)
{
	memset(bl, 0, sizeof(*bl));
	bl->ring = calloc(cap, sizeof(*bl->ring));
	if (!bl->ring)
		return -ENOMEM;
	bl->cap = cap;
	return 0;
}

void backlog_free(struct backlog *bl)
{
	for (size_t i = 0; i < bl->cap; i++)
		batch_free(&bl->ring[i].batch);
	free(bl->ring);
	memset(bl, 0, sizeof(*bl));
}

static int copy_batch(struct metric_batch *dst, const struct metric_batch *src)
{
	batch_reset(dst);
	for (size_t i = 0; i < src->n; i++) {
		int r = batch_put(dst, src->v[i].name, src->v[i].value, src->v[i].unit);
		if (r)
			return r;
	}
	return 0;
}

int backlog_push(struct backlog *bl, double t, uint64_t cycles, const struct metric_batch *b)
{
	if (bl->len == bl->cap) {
		backlog_pop(bl);
		bl->dropped++;
	}
	struct backlog_entry *e = &bl->ring[(bl->head + bl->len) % bl->cap];
	/* Slot 0 keeps its batch's allocation for reuse; see backlog_pop. */
	if (copy_batch(&e->batch, b)) {
		bl->dropped++;
		return -ENOMEM;
	}
	e->t = t;
	e->cycles = cycles;
	bl->len++;
	return 0;
}

const struct backlog_entry *backlog_peek(const struct backlog *bl)
{
	return bl->len ? &bl->ring[bl->head] : NULL;
}

const struct backlog_entry *backlog_newest(const struct backlog *bl)
{
	return bl->len ? &bl->ring[(bl->head + bl->len - 1) % bl->cap] : NULL;
}

void backlog_pop(struct backlog *bl)
{
	if (!bl->len)
		return;
	/* Normally every round passes through slot 0 alone; slots filled
	 * during a store outage give their memory back as they drain, so a
	 * healthy daemon holds one batch, not one per slot of the ring. */
	if (bl->head != 0)
		batch_free(&bl->ring[bl->head].batch);
	bl->head = (bl->head + 1) % bl->cap;
	bl->len--;
	if (bl->len == 0)
		bl->head = 0;
}

void backlog_drop(struct backlog *bl)
{
	if (!bl->len)
		return;
	backlog_pop(bl);
	bl->dropped++;
}
