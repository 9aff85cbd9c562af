/* The daemon's fds against its RLIMIT_NOFILE, checked at start and after
 * each reload: every workload start (a worker's restart included) needs
 * a report socketpair and its channels from the daemon, and a limit that
 * leaves too few fds fails them later, one start-failed at a time. */
#ifndef GS_FD_LIMIT_H
#define GS_FD_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

/* Fds a running daemon keeps free for starts and sampling. */
#define GS_FD_HEADROOM 64

/* Count this process's open fds; when fewer than GS_FD_HEADROOM are left
 * under the soft RLIMIT_NOFILE, say so in msg (the limit, the open and
 * the free fds, what to raise) and return true. */
bool fd_limit_low(char *msg, size_t len);

#endif
