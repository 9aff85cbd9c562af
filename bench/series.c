#include "bench/series.h"

static const char *const names[SHAPE_COUNT] = {
	"clean", "spikes", "saw-fast", "saw-slow", "step", "restarts",
};

const char *shape_name(enum shape s)
{
	return s < SHAPE_COUNT ? names[s] : "?";
}

/* Deterministic noise in [0, 1). */
static double unit_noise(uint32_t seed, int64_t k)
{
	uint64_t h = ((uint64_t)k + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32);
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return (double)(h >> 11) / 9007199254740992.0;
}

double series_value(const struct series *s, int64_t k, double t, double cycles)
{
	double u = unit_noise(s->seed, k);
	double v = s->base + 0.05 * s->amp * u;
	/* The phase of each series differs with its seed. */
	int64_t kk = k + (int64_t)(s->seed % 1000);
	switch (s->shape) {
	case SHAPE_CLEAN:
	case SHAPE_COUNT:
		break;
	case SHAPE_SPIKES:
		/* A burst of 10x the swing in one round out of ~50. */
		if (unit_noise(s->seed ^ 0x5bd1e995u, k) < 0.02)
			v += 10 * s->amp;
		break;
	case SHAPE_SAW_FAST:
		v += s->amp * (double)(kk % 7) / 7.0;          /* a cycle of 70 s */
		break;
	case SHAPE_SAW_SLOW:
		v += s->amp * (double)(kk % 90) / 90.0;        /* a cycle of 15 min */
		break;
	case SHAPE_STEP:
		/* One restart leaves a few objects behind, once, somewhere in the run. */
		v += s->amp * (double)(kk % 7) / 7.0;
		if (t > 600 + (double)(s->seed % 2400))
			v += 0.5 * s->amp;
		break;
	case SHAPE_RESTARTS:
		/* The display server restarts every 10 min: its clients go, come back. */
		v += s->amp * (double)(kk % 7) / 7.0;
		if (kk % 60 < 2)
			v = s->base * 0.3 + 0.05 * s->amp * u;
		break;
	}
	/* Counters count objects and kB: whole numbers, as SQLite stores them. */
	return (double)(int64_t)(v + cycles * s->leak);
}
