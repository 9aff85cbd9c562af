/* Messages between a workload's processes, with fds attached (SCM_RIGHTS)
 * on their SOCK_SEQPACKET channels: how the sharing workloads pass dma-buf
 * fds and their requests and replies. */
#ifndef GS_FD_PASS_H
#define GS_FD_PASS_H

#include <stddef.h>

#include "workloads/workload.h"

/* Send or receive one message with up to `nfds` fds attached (received
 * fds are close-on-exec; fds beyond `maxfds` are closed). __fdpass_send
 * returns 0 or -errno; __fdpass_recv the number of fds received, or -1
 * when the message is short or the peer is gone. bench/raw-prime uses
 * these bare; the workers use the versions below. */
int __fdpass_send(int sock, const void *msg, size_t len, const int *fds, int nfds);
int __fdpass_recv(int sock, void *msg, size_t len, int *fds, int maxfds);

/* The same in a worker: exits the worker (status 3) when the peer is
 * gone, and the daemon restarts the workload as a whole (simpler than
 * re-pairing survivors). fdpass_recv returns the number of fds received. */
void fdpass_send(struct wl_proc *p, int sock, const void *msg, size_t len, const int *fds, int nfds);
int fdpass_recv(struct wl_proc *p, int sock, void *msg, size_t len, int *fds, int maxfds);

#endif
