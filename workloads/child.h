/* The child processes of a workload's worker (workloads/child.c): the
 * common/spawn.h kit, with what goes wrong reported as the worker's. */
#ifndef GS_WORKLOADS_CHILD_H
#define GS_WORKLOADS_CHILD_H

#include <stdint.h>
#include <sys/types.h>

#include "common/spawn.h"
#include "workloads/workload.h"

/* A child process for one generation's server or client; it dies with
 * its worker (SIGKILL), and starts with the default signal handlers.
 * Returns its pid (0 in the child), or -1 after reporting why not. */
pid_t child_spawn(struct wl_proc *p);
/* spawn_sh(), or -1 after reporting why not. */
pid_t child_spawn_sh(struct wl_proc *p, const char *cmd, int fd3, const char *display, int deathsig);
/* Wait for generation gen's child `who` (within limit seconds, 0 =
 * forever), reporting a timeout or a signal as an anomaly; its exit
 * status, or -1. */
int child_reap(struct wl_proc *p, pid_t pid, double limit, uint32_t gen, const char *who);

#endif
