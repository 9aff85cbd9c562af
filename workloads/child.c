/* The child processes of a workload's worker: one per cycle's server,
 * restart command or client (x-restart, its display-server mode). Each
 * dies with its worker and starts with the default signal handlers; one
 * started under /bin/sh runs in a process group of its own, which one
 * kill(-pid) ends with all it started, never touching the workers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fork-clean.h"
#include "common/util.h"
#include "workloads/child.h"
#include "workloads/promises.h"

/* Wait for a child to exit within `limit` seconds (0 = forever), leaving
 * it unreaped: while it is a zombie its pid cannot name another process
 * group. 0 when it exited, -1 on timeout. */
static int wait_exit(pid_t pid, double limit)
{
	double end = limit > 0 ? now_monotonic() + limit : 0;
	for (;;) {
		siginfo_t si = { .si_pid = 0 };
		int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | (limit > 0 ? WNOHANG : 0));
		if (r == 0 && si.si_pid == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (end && now_monotonic() > end)
			return -1;
		if (limit > 0)
			usleep(10000);
	}
}

/* A child that exited: SIGKILL what is left in its process group (what a
 * command started in the background; nothing when the child had no group
 * of its own), then reap it into *status. */
static void end_group(pid_t pid, int *status)
{
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* Wait for a child within `limit` seconds (0 = forever) and end what it
 * left in its group; -1 on timeout (the child still runs). */
int child_wait(pid_t pid, double limit, int *status)
{
	if (wait_exit(pid, limit) < 0)
		return -1;
	end_group(pid, status);
	return 0;
}

/* A child process for one generation's server, restart command or
 * client; it dies with its worker, and starts with the default signal
 * handlers (not the worker's SIGTERM handler, which stops the server).
 * Returns its pid (0 in the child), or -1 after reporting why not. */
pid_t child_spawn(struct wl_proc *p)
{
	pid_t pid = fork_clean();
	if (pid < 0)
		wl_report(p, "setup", "fork: %s", strerror(errno));
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

/* Wait for a generation's child (within limit seconds, 0 = forever) and
 * report how it ended if not well; its exit status, or -1. */
int child_reap(struct wl_proc *p, pid_t pid, double limit, uint32_t gen, const char *who)
{
	int status = 0;
	if (child_wait(pid, limit, &status) < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		wl_anomaly(p, "restart-timeout", "generation %u: %s still running after %.0f s; killed", gen,
			   who, limit);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		wl_anomaly(p, "signal", "generation %u: %s killed by signal %s", gen, who,
			   sigabbrev_np(WTERMSIG(status)) ?: "?");
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Start `cmd` under /bin/sh in a process group of its own (one kill(-pid)
 * ends it and all it started, never the workers), fd 3 being `fd3` when
 * not -1 and DISPLAY `display` when not NULL. The parent-death signal is
 * `deathsig`: SIGTERM lets a display server give the console back when its
 * worker dies. What the command leaves in its group when it exits is
 * killed then (child_wait). Returns the pid, or -1 after reporting why not. */
pid_t child_spawn_sh(struct wl_proc *p, const char *cmd, int fd3, const char *display, int deathsig)
{
	pid_t pid = child_spawn(p);
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, deathsig);
	setpgid(0, 0);
	if (fd3 == 3) {
		fcntl(3, F_SETFD, 0);
	} else if (fd3 >= 0) {
		dup2(fd3, 3); /* the copy is not close-on-exec */
		close(fd3);
	}
	if (display)
		setenv("DISPLAY", display, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Stop a process group with `sig` and wait for its leader within limit
 * seconds, then with SIGKILL. Returns 0 when it went in time (status set),
 * -1 when it had to be killed. */
int child_stop_group(pid_t pid, int sig, double limit, int *status)
{
	kill(-pid, sig);
	kill(pid, sig);
	if (child_wait(pid, limit, status) == 0)
		return 0;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

/* "exited with status N" or "killed by signal S" for a wait status. */
const char *child_how_ended(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	return buf;
}
