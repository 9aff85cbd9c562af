/* fork() for a process with signal handlers (the daemon's libevent
 * handlers, a worker's own): a child that gets a signal before it has
 * reset them would run its parent's handler. libevent's writes the
 * signal into a socketpair the child shares with the daemon, which then
 * takes a worker's SIGTERM for its own and stops. */
#ifndef GS_FORK_CLEAN_H
#define GS_FORK_CLEAN_H

#include <sys/types.h>

/* fork() with every signal blocked across it. The parent's mask is as
 * before on return; the child starts with every disposition at its
 * default and an empty mask, so a signal sent to it at once (a reload
 * stopping what it just started) acts by default. Returns as fork(). */
pid_t fork_clean(void);

#endif
