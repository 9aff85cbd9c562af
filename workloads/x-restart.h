/* x-restart: what its restart loop (workloads/x-restart.c) and its
 * display-server mode (workloads/display-server.c) share. */
#ifndef GS_WORKLOADS_X_RESTART_H
#define GS_WORKLOADS_X_RESTART_H

#include <stdbool.h>
#include <stdint.h>

#include "workloads/workload.h"

#define MAX_CLIENTS (WL_MAX_FDS - 1)

/* The type's gauges, in the order of its wl_type.gauges. */
enum { XR_GAUGE_READY_MS, XR_GAUGE_CYCLE_MS, XR_GAUGE_FAILED };

/* One real server restart (`server =`): start, ready, clients, SIGTERM,
 * console back. True when every step went well; the anomalies of the
 * others are reported. */
bool display_server_generation(struct wl_proc *p, uint32_t gen);

#endif
