/* The supervisor forks each workload's processes (what a child does before
 * it runs the workload is daemon/worker.c), watches them through libevent
 * (SIGCHLD, their report socket) and restarts a workload whose process
 * died, with exponential backoff. Counters live in shared memory
 * so they survive restarts and cost the workers nothing to publish. */
#ifndef GS_SUPERVISOR_H
#define GS_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/privilege.h"
#include "workloads/workload.h"

struct event_base;
struct supervisor;

/* Where the supervisor sends events (worker deaths, anomalies). */
struct event_sink {
	void (*emit)(void *ctx, int priority, const char *source, const char *kind, const char *msg);
	void *ctx;
};

struct supervisor *supervisor_new(struct event_base *base, const struct gs_device *dev,
				  struct event_sink sink);
/* Workers started from now on drop to this account (daemon/privilege.h). */
void supervisor_set_user(struct supervisor *sup, const struct gs_user *user);
/* Restart delays: the first after a death, doubling up to max. */
void supervisor_set_backoff(struct supervisor *sup, int min_ms, int max_ms);
/* Add a workload and fork every process of it. Returns 0 when it started;
 * 1 when it could not start yet (fds ran out): it stays, and is tried
 * again with backoff like a workload whose worker died; -ENOMEM when it
 * could not be added. A start-failed event says why (naming
 * RLIMIT_NOFILE when fds ran out). */
int supervisor_add(struct supervisor *sup, const struct wl_config *cfg);
/* Called on SIGCHLD: reap, report and schedule restarts. */
void supervisor_reap(struct supervisor *sup);
/* Kill and restart workloads that completed no cycle for stall_s seconds
 * (longer when their rate cap allows fewer cycles). */
void supervisor_check_progress(struct supervisor *sup, double stall_s);
/* SIGTERM every worker, SIGKILL what is left after a grace period, reap. */
void supervisor_stop_all(struct supervisor *sup);
/* The leak guard: kill every running workload's processes and keep them
 * stopped (no restart) until supervisor_resume. Returns how many
 * processes were stopped. */
int supervisor_pause(struct supervisor *sup);
void supervisor_resume(struct supervisor *sup);
/* The attribution probe: stop (SIGSTOP) or continue (SIGCONT) workload
 * i's process group. A frozen workload is not hung; if it starts anew
 * (a death, the guard) it is stopped again until thawed; stopping it
 * for good continues it first, so it sees its SIGTERM. -ESRCH when it
 * has no running process to freeze, else 0. */
int supervisor_freeze(struct supervisor *sup, size_t i, bool frozen);
bool supervisor_frozen(const struct supervisor *sup, size_t i);
/* Workload i is stopped on purpose (frozen by the probe, paused by the
 * leak guard, its duration over) rather than meant to cycle. */
bool supervisor_stopped_on_purpose(const struct supervisor *sup, size_t i);
/* SIGSTOP the frozen workloads again (after a SIGCONT sent to every
 * worker's group, as the leak guard's thaw does). */
void supervisor_refreeze(struct supervisor *sup);

void supervisor_free(struct supervisor *sup);

/* For reloads: the index of the workload called name, or -1. */
int supervisor_find(const struct supervisor *sup, const char *name);
/* Stop workload i and forget it (its cycles stay in the total). */
void supervisor_remove(struct supervisor *sup, size_t i);
/* Point workload i at an equal config that outlives the old one; its
 * processes keep running. */
void supervisor_rebind(struct supervisor *sup, size_t i, const struct wl_config *cfg);

size_t supervisor_count(const struct supervisor *sup);
const char *supervisor_name(const struct supervisor *sup, size_t i);
uint64_t supervisor_cycles(const struct supervisor *sup, size_t i);
uint64_t supervisor_total_cycles(const struct supervisor *sup);
/* Sum of one workload's per-ioctl, per-errno error counts. */
uint64_t supervisor_errors(const struct supervisor *sup, size_t i, enum gs_ioctl ioc, int err);
/* The name of workload i's gauge g (wl_type.gauges) and its value summed
 * over the processes; NULL past its last gauge. */
const char *supervisor_gauge(const struct supervisor *sup, size_t i, int g, int64_t *value);
/* Workload i's process group (the first worker's pid), 0 while it has none. */
pid_t supervisor_pgid(const struct supervisor *sup, size_t i);
/* Processes currently alive, for STATUS. */
int supervisor_alive(const struct supervisor *sup);
/* The running worker processes' pids, at most max; returns how many.
 * Without with_frozen, those of frozen workloads are left out. */
size_t supervisor_pids(const struct supervisor *sup, pid_t *pids, size_t max, bool with_frozen);

#endif
