/* The worker side of fork(): what a workload process does between fork()
 * and its type's run() (fds, process group, OOM score, privilege drop,
 * death signal, name; the supervisor forks with fork_clean, which resets
 * its signals). The supervisor (daemon/supervisor.c) is the
 * parent side. */
#ifndef GS_WORKER_H
#define GS_WORKER_H

#include <sys/types.h>

#include "daemon/privilege.h"
#include "workloads/workload.h"

/* oom_score_adj: the daemon's (it must outlive its workers) and theirs. */
#define GS_DAEMON_OOM_SCORE_ADJ (-900)
#define GS_WORKER_OOM_SCORE_ADJ 1000

/* Write this process's /proc/self/oom_score_adj; 0 or -errno. */
int set_oom_score_adj(int adj);

/* What one forked worker process starts from. */
struct worker_start {
	const struct wl_config *cfg;
	const struct gs_device *dev;
	const struct gs_user *user;   /* the account to drop to */
	int index, nprocs;            /* this process among the workload's */
	pid_t pgid;                   /* the workload's group; 0: make one */
	pid_t daemon_pid;             /* exit at once if the parent is another */
	struct wl_counters *ctr;      /* this process's, shared with the daemon */
	double deadline;              /* monotonic; 0 = runs forever */
	void *chan;                   /* the type's setup() result */
	int report_fd;                /* the workers' end of the report socket */
};

/* Become worker w->index of the workload and run it; never returns. */
__attribute__((noreturn)) void worker_main(const struct worker_start *w);

#endif
