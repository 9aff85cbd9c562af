/* The leak guard's watch: a thread that reads usable memory every period
 * even while the event loop is busy. A sampling round over tens of
 * thousands of leaked dma-bufs takes seconds on a slow machine, and an
 * unthrottled leak takes a small machine's memory within those seconds,
 * before the loop's own guard (daemon/guard-actions.c) gets its turn. Below the
 * floor the watch freezes (SIGSTOP) the workers' process groups at once,
 * so the leak stops growing, and wakes the loop through a pipe; the loop
 * then decides as always (stop for good, or thaw) and rearms the watch.
 * The thread touches nothing of the daemon's but what is here: it opens
 * one file with read(2), and signals the process groups it was given. */
#ifndef GS_DAEMON_LEAK_WATCH_H
#define GS_DAEMON_LEAK_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LEAK_WATCH_MAX_PIDS 256

struct leak_watch;

/* Start the thread on the meminfo file (a path that outlives the watch)
 * with the guard's floor. *wake_fd becomes readable when it froze the
 * workers. 0, or -errno. */
int leak_watch_start(struct leak_watch **w, const char *meminfo, int64_t floor_kb, double period_s,
		     int *wake_fd);

/* The workers' pids as the loop knows them now; their process groups are
 * what a freeze stops. */
void leak_watch_set_pids(struct leak_watch *w, const pid_t *pids, size_t n);

/* After a wake: drain the pipe. Returns how many process groups the
 * watch froze since the last call, with the usable memory it read then,
 * or -1 when it has not fired. */
int leak_watch_take(struct leak_watch *w, int64_t *avail_kb);

/* Send SIGCONT to what the last freeze stopped (the loop found memory
 * back, or stopped the workers for good), and let the watch freeze again
 * once usable memory falls below the floor. */
void leak_watch_thaw(struct leak_watch *w);

/* Stop and join the thread, close the pipe. w may be NULL. */
void leak_watch_stop(struct leak_watch *w);

#endif
