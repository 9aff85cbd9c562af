/* prime-share's close orders: which of the three closes of a shared
 * buffer comes first. "cycle" walks through all six orders, "random"
 * picks one per cycle from the seed, "fd,importer,exporter" (any order of
 * the three words) fixes one. */
#ifndef GS_CLOSE_ORDER_H
#define GS_CLOSE_ORDER_H

#include <stdint.h>

#include "workloads/prng.h"

enum close_step { CLOSE_FD, CLOSE_IMPORTER, CLOSE_EXPORTER, CLOSE_STEPS };

struct close_order {
	int mode;                    /* 0 cycle, 1 random, 2 fixed */
	uint8_t fixed[CLOSE_STEPS];
	struct prng rand;
};

/* NULL if `value` is a close order, else why not. */
const char *close_order_check(const char *value);
/* Parse into `out`; returns 0, or -1 if the value is no fixed order. */
int close_order_parse(const char *value, uint8_t out[CLOSE_STEPS]);
void close_order_init(struct close_order *co, const struct wl_proc *p, const char *value);
void close_order_next(struct close_order *co, uint32_t cycle, uint8_t out[CLOSE_STEPS]);
/* The six orders in a fixed sequence (k = 0..5). */
void close_order_nth(unsigned k, uint8_t out[CLOSE_STEPS]);

#endif
