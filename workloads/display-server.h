/* display-server (workloads/display-server.c): what x-restart
 * (workloads/x-restart.c) shares with it, its restart loop and, for old
 * configs that set x-restart's `command =` or `server =`, its keys, its
 * gauges and its run. */
#ifndef GS_WORKLOADS_DISPLAY_SERVER_H
#define GS_WORKLOADS_DISPLAY_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "workloads/workload.h"

#define MAX_CLIENTS (WL_MAX_FDS - 1)

/* The keys of a real server or a restart command, in both types' tables. */
#define DS_KEY_COMMAND { "command", WK_STRING, 0, 0, 0, "restart command run under /bin/sh each cycle (default: none)" }
#define DS_KEY_SERVER { "server", WK_STRING, 0, 0, 0, \
	"display server started each cycle, ready when it writes its display number to fd 3; takes precedence over command (default: none)" }
#define DS_KEY_CLIENT { "client", WK_STRING, 0, 0, 0, "with server: command each of the processes runs against it, DISPLAY set (default: none)" }
#define DS_KEY_TIMEOUT { "timeout", WK_DURATION, 1000, 86400000, 60000, "time limit of the restart command, or of each server step" }

/* The gauges both types keep (workload.NAME.GAUGE), in this order. */
enum { DS_GAUGE_READY_MS, DS_GAUGE_CYCLE_MS, DS_GAUGE_FAILED };
extern const struct wl_gauge display_server_gauges[];

/* One generation of a restart loop, in the worker; true when it went
 * well. */
typedef bool restart_generation_fn(struct wl_proc *p, uint32_t gen, void *ctx);

/* Run generations 0, 1, ... until the workload stops, paced by `rate`:
 * one that went well is a cycle, one that did not is counted in the
 * `failed` gauge and backed off from. */
void restart_loop(struct wl_proc *p, restart_generation_fn *generation, void *ctx) __attribute__((noreturn));

/* display-server's run: a restart command or a real server each cycle,
 * in the one worker. */
void display_server_run(struct wl_proc *p) __attribute__((noreturn));

#endif
