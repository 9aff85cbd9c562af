/* The child processes of a workload's worker: one per cycle's server,
 * restart command or client (x-restart, display-server), started and
 * waited for with common/spawn.c; a failed start is reported, a child
 * past its time or killed by a signal is an anomaly of the worker. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "workloads/child.h"
#include "workloads/promises.h"

/* Its children start with the default signal handlers (not the worker's
 * SIGTERM handler, which stops the server). */
pid_t child_spawn(struct wl_proc *p)
{
	pid_t pid = spawn_fork(SIGKILL);
	if (pid < 0)
		wl_report(p, "setup", "fork: %s", strerror(errno));
	return pid;
}

pid_t child_spawn_sh(struct wl_proc *p, const char *cmd, int fd3, const char *display, int deathsig)
{
	pid_t pid = spawn_sh(cmd, fd3, display, deathsig);
	if (pid < 0)
		wl_report(p, "setup", "fork: %s", strerror(errno));
	return pid;
}

int child_reap(struct wl_proc *p, pid_t pid, double limit, uint32_t gen, const char *who)
{
	int status = 0;
	if (spawn_wait(pid, limit, &status) < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		spawn_reap(pid, &status);
		wl_anomaly(p, "restart-timeout", "generation %u: %s still running after %.0f s; killed", gen,
			   who, limit);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		char how[48];
		wl_anomaly(p, "signal", "generation %u: %s %s", gen, who, spawn_how_ended(status, how, sizeof(how)));
		return -1;
	}
	return WEXITSTATUS(status);
}
