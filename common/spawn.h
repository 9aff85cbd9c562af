/* Child processes (common/spawn.c): started with a parent-death signal,
 * a command under /bin/sh in a process group of its own, waited for
 * within a time limit, stopped group and all, and how they ended. The
 * workloads' children (workloads/child.c) and the git runner
 * (kernel/git.c) use it. */
#ifndef GS_COMMON_SPAWN_H
#define GS_COMMON_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* fork_clean() with `deathsig` as the child's parent-death signal, so it
 * dies (or is told to stop) with its parent. Returns as fork(). */
pid_t spawn_fork(int deathsig);
/* Start `cmd` under /bin/sh in a process group of its own (one kill(-pid)
 * ends it and all it started, never its parent's group), fd 3 being `fd3`
 * when not -1, DISPLAY `display` when not NULL, `deathsig` its
 * parent-death signal. Returns the pid, or -1 (errno set). */
pid_t spawn_sh(const char *cmd, int fd3, const char *display, int deathsig);
/* Reap a child into *status, retrying on EINTR; 0, or -1 (errno set). */
int spawn_reap(pid_t pid, int *status);
/* Wait for a child within `limit` seconds (0 = forever), then SIGKILL
 * what it left in its process group and reap it into *status; -1 on
 * timeout (the child still runs, unreaped). */
int spawn_wait(pid_t pid, double limit, int *status);
/* Stop a process group with `sig` and wait for its leader within limit
 * seconds, then with SIGKILL. 0 when it went in time (status set), -1
 * when it had to be killed. */
int spawn_stop_group(pid_t pid, int sig, double limit, int *status);
/* A wait status as a shell's exit code: the exit status, or 128 + the
 * signal that killed it. */
int spawn_exit_code(int status);
/* "exited with status N" or "killed by signal S" for a wait status, in
 * buf, which it returns. */
const char *spawn_how_ended(int status, char *buf, size_t len);

#endif
