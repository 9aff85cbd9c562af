/* The model's state and its lock. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/model/model.h"

struct model M = { .lock = PTHREAD_MUTEX_INITIALIZER };

void model_init(void)
{
	for (int i = 0; i < FIX_COUNT; i++)
		M.fix[i] = true;
	M.full_ppgtt = true;
	M.window_us = 200;
}

void model_window(void)
{
	pthread_mutex_unlock(&M.lock);
	if (M.window_us > 0)
		usleep((useconds_t)M.window_us);
	else
		sched_yield();
	pthread_mutex_lock(&M.lock);
}

static bool ida_taken(const struct m_ida *ida, uint32_t id)
{
	return id / 64 < ida->words && (ida->bits[id / 64] >> (id % 64) & 1);
}

/* Allocate the lowest free id >= 1 (idr_alloc(idr, p, 1, 0, ..)). */
uint32_t ida_alloc(struct m_ida *ida)
{
	uint32_t id = ida->hint > 1 ? ida->hint : 1;
	while (ida_taken(ida, id))
		id++;
	if (id / 64 >= ida->words) {
		uint32_t words = ida->words ? ida->words * 2 : 4;
		while (id / 64 >= words)
			words *= 2;
		uint64_t *b = realloc(ida->bits, words * sizeof(*b));
		if (!b)
			abort();
		memset(b + ida->words, 0, (words - ida->words) * sizeof(*b));
		ida->bits = b;
		ida->words = words;
	}
	ida->bits[id / 64] |= 1ull << (id % 64);
	ida->hint = id + 1;
	return id;
}

void ida_free(struct m_ida *ida, uint32_t id)
{
	if (!ida_taken(ida, id))
		return;
	ida->bits[id / 64] &= ~(1ull << (id % 64));
	if (id < ida->hint)
		ida->hint = id;
}
