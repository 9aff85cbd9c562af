/* The attribution probe's schedule, a pure function so that it is
 * unit-tested: time is cut into periods of [daemon] probe; they alternate
 * between every workload running and one of them paused, the workloads
 * in turn in config order (all, first paused, all, second paused, ...).
 * The periods with all running are the baseline each pause is judged
 * against. */
#ifndef GS_PROBE_PLAN_H
#define GS_PROBE_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* The workload paused in period k (0 = the first, from the start) of n
 * workloads: its index, or -1 when every workload runs then. */
int probe_plan_paused(uint64_t k, size_t n);

#endif
