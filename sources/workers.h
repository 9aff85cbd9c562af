/* The workers as the sources see them: a snapshot the sampler fills from
 * the supervisor (daemon/sampler.c) at the start of each round, so the
 * sources read plain counters and pids and never reach into the daemon. */
#ifndef GS_SOURCES_WORKERS_H
#define GS_SOURCES_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "workloads/workload.h"

#define WORKERS_MAX_PIDS 1024

/* One workload's counters, summed over its processes. */
struct workload_sample {
	const char *name;          /* valid for the round */
	uint64_t cycles;
	pid_t pgid;                /* its workers' process group; 0: none running */
	int ngauges;               /* the type's gauges, at most WL_MAX_GAUGES */
	const char *gauge_name[WL_MAX_GAUGES];
	int64_t gauge[WL_MAX_GAUGES];
	uint64_t errors[GS_IOC_COUNT][GS_ERRNO_SLOTS];
};

struct workers_view {
	struct workload_sample *wl;   /* n workloads (the sampler owns the array) */
	size_t n, cap;
	pid_t pids[WORKERS_MAX_PIDS];  /* the running worker processes */
	size_t npids;
};

#endif
