/* Child processes: a command under /bin/sh in a process group of its
 * own, which one kill(-pid) ends with all it started; waited for without
 * reaping until its group is ended, so that its pid cannot name another
 * process group meanwhile. */
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
#include "common/spawn.h"
#include "common/util.h"

pid_t spawn_fork(int deathsig)
{
	pid_t pid = fork_clean();
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, deathsig);
	return pid;
}

pid_t spawn_sh(const char *cmd, int fd3, const char *display, int deathsig)
{
	pid_t pid = spawn_fork(deathsig);
	if (pid != 0)
		return pid;
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

int spawn_reap(pid_t pid, int *status)
{
	int r;
	while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : 0;
}

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

int spawn_wait(pid_t pid, double limit, int *status)
{
	if (wait_exit(pid, limit) < 0)
		return -1;
	/* What is left in its group (what a command started in the
	 * background; nothing when the child had no group of its own). */
	kill(-pid, SIGKILL);
	spawn_reap(pid, status);
	return 0;
}

int spawn_stop_group(pid_t pid, int sig, double limit, int *status)
{
	kill(-pid, sig);
	kill(pid, sig);
	if (spawn_wait(pid, limit, status) == 0)
		return 0;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	spawn_reap(pid, status);
	return -1;
}

int spawn_exit_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

const char *spawn_how_ended(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	return buf;
}
