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

/* probe = auto: how long period k lasts when it begins elapsed_ms into
 * the daemon's life, sampling every interval_ms. A pause is an eighth of
 * the time elapsed, at least 3 intervals (a sample of its own away from
 * its edges: 15 s in the demo's 5 s rounds, so that a 2-minute run
 * pauses each of two workloads twice) and at most 10 minutes; a period
 * with all running is as long for the first hour, then three times as
 * long. The cost: each of n workloads is paused 1/(2n) of the first hour
 * and 1/(4n) after (25 % then 12.5 % of its cycles with two). */
int64_t probe_plan_auto_ms(uint64_t k, int64_t elapsed_ms, int64_t interval_ms);

/* The workload paused in period k (0 = the first, from the start) of n
 * workloads: its index, or -1 when every workload runs then. */
int probe_plan_paused(uint64_t k, size_t n);

#endif
