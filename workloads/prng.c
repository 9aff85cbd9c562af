#include "workloads/prng.h"

void prng_init(struct prng *r, const struct wl_proc *p)
{
	r->s = (uint64_t)wl_get(p->cfg, "seed") * 0x9e3779b97f4a7c15ULL + (uint64_t)p->index;
}

uint64_t prng_next(struct prng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t prng_below(struct prng *r, uint32_t n)
{
	return n ? (uint32_t)(prng_next(r) % n) : 0;
}
