/* The binder client's old place and names, kept for the buffer-queue
 * workload's files until they include binder/binder.h and use the
 * prefixed binder_txn_ and binder_in_ names; new code uses those. Delete
 * this header once nothing includes it. */
#ifndef GS_DEVICE_BINDER_COMPAT_H
#define GS_DEVICE_BINDER_COMPAT_H

#include "binder/binder.h"

static inline void txn_init(struct binder_txn *t)
{
	binder_txn_init(t);
}

static inline int txn_put(struct binder_txn *t, const void *p, size_t n)
{
	return binder_txn_put(t, p, n);
}

static inline int txn_put_binder(struct binder_txn *t, uint64_t ptr, uint64_t cookie)
{
	return binder_txn_put_binder(t, ptr, cookie);
}

static inline int txn_put_handle(struct binder_txn *t, uint32_t handle)
{
	return binder_txn_put_handle(t, handle);
}

static inline int txn_put_fd(struct binder_txn *t, int fd)
{
	return binder_txn_put_fd(t, fd);
}

static inline int txn_put_fd_array(struct binder_txn *t, const int *fds, int n)
{
	return binder_txn_put_fd_array(t, fds, n);
}

static inline const void *in_data(const struct binder_in *in, size_t off, size_t n)
{
	return binder_in_data(in, off, n);
}

static inline int in_fd(const struct binder_in *in, int nth)
{
	return binder_in_fd(in, nth);
}

static inline int in_fd_array(const struct binder_in *in, int *fds, int max)
{
	return binder_in_fd_array(in, fds, max);
}

static inline int in_handle(const struct binder_in *in, uint32_t *handle)
{
	return binder_in_handle(in, handle);
}

#endif
