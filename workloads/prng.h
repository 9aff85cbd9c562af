/* Seeded pseudo-random choices: deterministic (splitmix64) from the
 * workload's `seed` key and the process index, so a run can be repeated. */
#ifndef GS_PRNG_H
#define GS_PRNG_H

#include <stdint.h>

#include "workloads/workload.h"

struct prng { uint64_t s; };

/* Seed r from p's workload seed and process index. */
void prng_init(struct prng *r, const struct wl_proc *p);
/* The next 64 pseudo-random bits. */
uint64_t prng_next(struct prng *r);
/* 0 .. n-1 (0 when n is 0). */
uint32_t prng_below(struct prng *r, uint32_t n);

#endif
