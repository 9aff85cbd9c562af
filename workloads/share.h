/* What the buffer-sharing workloads have in common: opening the device as
 * a client, the messages and dma-buf fds they pass between processes
 * (SCM_RIGHTS), their process layouts and their pseudo-random choices. */
#ifndef GS_SHARE_H
#define GS_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/workload.h"

/* Open `path` (the device when NULL) and remember it as the file whose
 * ENODEV says the device is gone (wl_count_error). Exits the worker
 * (WL_EXIT_DEVICE) on failure, after reporting why. */
int wl_open_device(struct wl_proc *p, const char *path);

/* wl_open_device as a client: if opening a primary node made this file
 * DRM master, give master up, so that a display server workload can take it. */
int wl_open_client(struct wl_proc *p, const char *path);

/* Send or receive one message (SOCK_SEQPACKET) with up to `nfds` fds
 * attached (SCM_RIGHTS; received fds are close-on-exec). share_send
 * returns 0 or -errno; share_recv the number of fds received, or -1 when
 * the message is short or the peer is gone. bench/raw-prime uses these
 * bare; the workers use the wl_ versions. */
int share_send(int sock, const void *msg, size_t len, const int *fds, int nfds);
int share_recv(int sock, void *msg, size_t len, int *fds, int maxfds);

/* The same in a worker. Exits the
 * worker (status 3) when the peer is gone: the daemon restarts the
 * workload as a whole. wl_recv_msg returns the number of fds received. */
void wl_send_msg(struct wl_proc *p, int sock, const void *msg, size_t len, const int *fds, int nfds);
int wl_recv_msg(struct wl_proc *p, int sock, void *msg, size_t len, int *fds, int maxfds);

/* Layout "pairs": `pairs` socketpairs; process 2k and 2k+1 hold the two
 * ends of pair k. Layout "star": process 0 (the hub) holds one end of a
 * socketpair per other process, which holds the other end. */
void *wl_pairs_setup(int pairs);
void *wl_star_setup(int spokes);
int wl_layout_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max);
void wl_layout_teardown(void *chan);

/* Deterministic pseudo-random numbers (splitmix64) from the workload's
 * seed and the process index. */
struct wl_rand { uint64_t s; };
void wl_rand_init(struct wl_rand *r, const struct wl_proc *p);
uint64_t wl_rand_next(struct wl_rand *r);
/* 0 .. n-1 */
uint32_t wl_rand_below(struct wl_rand *r, uint32_t n);

/* A kernel error that repeats every cycle must not turn into a hot loop. */
void wl_backoff(unsigned *consecutive_errors);

#endif
