/* Binder parcels, as the driver lays them out (linux/android/binder.h):
 * writing an outgoing one (plain data, binder and handle objects, fd
 * objects, one native_handle-shaped fd array) and reading a received one.
 * Pure memory work: no ioctl, no file. igt-style: 0 or -errno. */
#ifndef GS_BINDER_PARCEL_H
#define GS_BINDER_PARCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/android/binder.h>

/* Incoming data: a BR_TRANSACTION or BR_REPLY, in the process's map. */
struct binder_in {
	uint32_t code, flags;
	int32_t sender_pid;
	uint64_t target, cookie;   /* the local node a transaction is for */
	const uint8_t *data;
	size_t len;
	const binder_size_t *offs;
	size_t nobjs;
	uint64_t buffer;           /* for BC_FREE_BUFFER */
};

/* An outgoing parcel. */
#define BINDER_TXN_DATA 256
#define BINDER_TXN_OBJS 8
#define BINDER_TXN_FDA_MAX 4
struct binder_txn {
	uint8_t data[BINDER_TXN_DATA] __attribute__((aligned(8)));
	size_t len;
	binder_size_t offs[BINDER_TXN_OBJS];
	size_t nobjs;
	/* native_handle_t-shaped: version, numFds, numInts, fds */
	struct { int32_t version, nfds, nints, fds[BINDER_TXN_FDA_MAX]; } handle;
	bool has_handle;
};
/* An empty parcel. */
void binder_txn_init(struct binder_txn *t);
/* n bytes of plain data, padded to 8; -ENOSPC when the parcel is full
 * (as is every binder_txn_put_* then). */
int binder_txn_put(struct binder_txn *t, const void *p, size_t n);
/* A local node (ptr, cookie) the receiver gets a handle to. */
int binder_txn_put_binder(struct binder_txn *t, uint64_t ptr, uint64_t cookie);
int binder_txn_put_handle(struct binder_txn *t, uint32_t handle);
/* An fd the driver dups into the receiver (the sender keeps its own). */
int binder_txn_put_fd(struct binder_txn *t, int fd);
/* At most one fd array per parcel, in the native handle (-EINVAL for a
 * second one or more than BINDER_TXN_FDA_MAX fds). */
int binder_txn_put_fd_array(struct binder_txn *t, const int *fds, int n);

/* Reading a received parcel: the plain data at offset off (NULL when the
 * parcel is shorter); the fd of the nth fd object; the fds of its fd
 * array; the handle of its first handle object. -EPROTO when absent. */
const void *binder_in_data(const struct binder_in *in, size_t off, size_t n);
int binder_in_fd(const struct binder_in *in, int nth);
int binder_in_fd_array(const struct binder_in *in, int *fds, int max);
int binder_in_handle(const struct binder_in *in, uint32_t *handle);

#endif
