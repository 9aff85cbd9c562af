/* Labelled synthetic series for the detector evaluation, the benchmark
 * and the CLI tests: the shapes normal use gives a counter (noise, spikes,
 * sawtooths, steps, display-server restarts), with or without a leak of a
 * known rate on top. */
#ifndef GS_BENCH_SERIES_H
#define GS_BENCH_SERIES_H

#include <stdint.h>

enum shape { SHAPE_CLEAN, SHAPE_SPIKES, SHAPE_SAW_FAST, SHAPE_SAW_SLOW, SHAPE_STEP, SHAPE_RESTARTS,
	     SHAPE_COUNT };

struct series {
	enum shape shape;
	double base;        /* the floor of normal use */
	double amp;         /* how far use swings above it */
	double leak;        /* objects kept per workload cycle (0: clean) */
	uint32_t seed;
};

const char *shape_name(enum shape s);
/* The value at tick k, time t seconds into the run, after `cycles`. */
double series_value(const struct series *s, int64_t k, double t, double cycles);

#endif
