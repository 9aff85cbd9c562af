#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/util.h"
#include "daemon/worker.h"

int set_oom_score_adj(int adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "we");
	if (!f)
		return -errno;
	int r = fprintf(f, "%d\n", adj) < 0 ? -EIO : 0;
	if (fclose(f) && !r)
		r = -errno;
	return r;
}

/* Move the fds a worker keeps to 3, 4, ... and close everything else it
 * inherited from the daemon (the database, libevent's fds, other
 * workloads' channels). The copies go just above the targets, so any
 * RLIMIT_NOFILE that holds them will do. 0, or -errno when a copy could
 * not be made (then nothing has moved yet). */
static int keep_only(int *fds, int n)
{
	int moved[WL_MAX_FDS + 1];
	for (int i = 0; i < n; i++) {
		moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + n);
		if (moved[i] < 0)
			return -errno;
	}
	for (int i = 0; i < n; i++) {
		if (dup2(moved[i], 3 + i) < 0)
			return -errno;
		fds[i] = 3 + i;
	}
	close_range((unsigned)(3 + n), ~0u, 0);
	return 0;
}

void worker_main(const struct worker_start *w)
{
	/* Signals are the defaults already (fork_clean): close what the
	 * worker inherited from the daemon first, libevent's signal
	 * socketpair among it. */
	struct wl_proc p = {
		.cfg = w->cfg, .dev = w->dev, .index = w->index, .nprocs = w->nprocs,
		.ctr = w->ctr, .deadline = w->deadline, .dev_fd = -1,
	};
	int keep[WL_MAX_FDS + 1];
	keep[0] = w->report_fd;
	int n = wl_channels_fds(w->chan, w->cfg, w->index, keep + 1, WL_MAX_FDS);
	p.report_fd = w->report_fd;
	int kept = keep_only(keep, n + 1);
	if (kept) {
		struct rlimit lim;
		getrlimit(RLIMIT_NOFILE, &lim);
		wl_report(&p, "fd-limit", "cannot keep its %d fds under RLIMIT_NOFILE %llu: %s", n + 1,
			  (unsigned long long)lim.rlim_cur, strerror(-kept));
		wl_exit(&p, WL_EXIT_NOFILE);
	}
	p.report_fd = keep[0];
	memcpy(p.fds, keep + 1, (size_t)n * sizeof(int));
	p.nfds = n;
	/* One process group per workload instance (the daemon sets it too:
	 * whichever runs first wins the race), so one kill reaches the
	 * processes the workers fork as well. */
	setpgid(0, w->pgid);
	/* The OOM killer takes workers before the daemon (which lowered its
	 * own score): the recorder outlives what it records. Before the
	 * privilege drop, which makes /proc/self root's. */
	set_oom_score_adj(GS_WORKER_OOM_SCORE_ADJ);
	/* Before the death signal: changing credentials clears it. */
	int dropped = privilege_drop(w->user);
	/* Workers must not outlive the daemon. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != w->daemon_pid)
		_exit(0);
	/* The kernel keeps 15 characters of a process name. */
	char title[16] = "gs:";
	memcpy(title + 3, w->cfg->name, strnlen(w->cfg->name, sizeof(title) - 4));
	prctl(PR_SET_NAME, title);
	if (dropped) {
		wl_report(&p, "privilege", "cannot become user %s: %s", w->user->name, strerror(-dropped));
		wl_exit(&p, WL_EXIT_USER);
	}
	w->cfg->type->run(&p);
}
