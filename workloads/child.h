/* The child processes of a workload's worker (workloads/child.c). */
#ifndef GS_WORKLOADS_CHILD_H
#define GS_WORKLOADS_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "workloads/workload.h"

/* A child process for one generation's server, restart command or
 * client; it dies with its worker (SIGKILL), and starts with the default
 * signal handlers. Returns its pid (0 in the child), or -1 after
 * reporting why not. */
pid_t child_spawn(struct wl_proc *p);
/* Start `cmd` under /bin/sh in a process group of its own, fd 3 being
 * `fd3` when not -1 and DISPLAY `display` when not NULL, with `deathsig`
 * as its parent-death signal. Returns the pid, or -1 after reporting why
 * not. */
pid_t child_spawn_sh(struct wl_proc *p, const char *cmd, int fd3, const char *display, int deathsig);
/* Wait for a child within `limit` seconds (0 = forever), then SIGKILL
 * what it left in its process group and reap it into *status; -1 on
 * timeout (the child still runs, unreaped). */
int child_wait(pid_t pid, double limit, int *status);
/* Stop a process group with `sig` and wait for its leader within limit
 * seconds, then with SIGKILL. 0 when it went in time (status set), -1
 * when it had to be killed. */
int child_stop_group(pid_t pid, int sig, double limit, int *status);
/* Wait for generation gen's child `who` (within limit seconds, 0 =
 * forever), reporting a timeout or a signal as an anomaly; its exit
 * status, or -1. */
int child_reap(struct wl_proc *p, pid_t pid, double limit, uint32_t gen, const char *who);
/* "exited with status N" or "killed by signal S" for a wait status, in buf. */
const char *child_how_ended(int status, char *buf, size_t len);

#endif
