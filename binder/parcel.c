#include <errno.h>
#include <string.h>

#include "binder/parcel.h"

/* Writing an outgoing parcel. */

void binder_txn_init(struct binder_txn *t)
{
	memset(t, 0, sizeof(*t));
}

int binder_txn_put(struct binder_txn *t, const void *p, size_t n)
{
	size_t padded = (n + 7) & ~(size_t)7;
	if (t->len + padded > sizeof(t->data))
		return -ENOSPC;
	memcpy(t->data + t->len, p, n);
	memset(t->data + t->len + n, 0, padded - n);
	t->len += padded;
	return 0;
}

static int put_object(struct binder_txn *t, const void *obj, size_t n)
{
	if (t->nobjs == BINDER_TXN_OBJS)
		return -ENOSPC;
	size_t at = t->len;
	int r = binder_txn_put(t, obj, n);
	if (!r)
		t->offs[t->nobjs++] = at;
	return r;
}

int binder_txn_put_binder(struct binder_txn *t, uint64_t ptr, uint64_t cookie)
{
	struct flat_binder_object o = {
		.hdr.type = BINDER_TYPE_BINDER, .flags = FLAT_BINDER_FLAG_ACCEPTS_FDS | 0x7f,
		.binder = ptr, .cookie = cookie,
	};
	return put_object(t, &o, sizeof(o));
}

int binder_txn_put_handle(struct binder_txn *t, uint32_t handle)
{
	struct flat_binder_object o = { .hdr.type = BINDER_TYPE_HANDLE, .handle = handle };
	return put_object(t, &o, sizeof(o));
}

int binder_txn_put_fd(struct binder_txn *t, int fd)
{
	struct binder_fd_object o = { .hdr.type = BINDER_TYPE_FD, .fd = (uint32_t)fd };
	return put_object(t, &o, sizeof(o));
}

int binder_txn_put_fd_array(struct binder_txn *t, const int *fds, int n)
{
	if (t->has_handle || n < 0 || n > BINDER_TXN_FDA_MAX)
		return -EINVAL;
	t->handle.version = (int32_t)(3 * sizeof(int32_t)); /* sizeof(native_handle_t) */
	t->handle.nfds = n;
	t->handle.nints = 0;
	memcpy(t->handle.fds, fds, (size_t)n * sizeof(int));
	/* The driver copies the handle from our memory (scatter-gather) and
	 * translates the fds inside it, found through the fd array object. */
	struct binder_buffer_object ptr = {
		.hdr.type = BINDER_TYPE_PTR, .buffer = (uintptr_t)&t->handle,
		.length = sizeof(t->handle),
	};
	binder_size_t parent = t->nobjs;
	int r = put_object(t, &ptr, sizeof(ptr));
	if (r)
		return r;
	struct binder_fd_array_object fda = {
		.hdr.type = BINDER_TYPE_FDA, .num_fds = (binder_size_t)n, .parent = parent,
		.parent_offset = 3 * sizeof(int32_t),
	};
	r = put_object(t, &fda, sizeof(fda));
	if (!r)
		t->has_handle = true;
	return r;
}

/* Reading a received parcel. */

const void *binder_in_data(const struct binder_in *in, size_t off, size_t n)
{
	return off + n <= in->len ? in->data + off : NULL;
}

static const struct binder_object_header *in_object(const struct binder_in *in, size_t i, size_t size)
{
	if (i >= in->nobjs)
		return NULL;
	return binder_in_data(in, in->offs[i], size);
}

int binder_in_fd(const struct binder_in *in, int nth)
{
	for (size_t i = 0; i < in->nobjs; i++) {
		const struct binder_fd_object *o = (const void *)in_object(in, i, sizeof(*o));
		if (o && o->hdr.type == BINDER_TYPE_FD && nth-- == 0)
			return (int)o->fd;
	}
	return -EPROTO;
}

int binder_in_fd_array(const struct binder_in *in, int *fds, int max)
{
	for (size_t i = 0; i < in->nobjs; i++) {
		const struct binder_fd_array_object *a = (const void *)in_object(in, i, sizeof(*a));
		if (!a || a->hdr.type != BINDER_TYPE_FDA)
			continue;
		const struct binder_buffer_object *p = (const void *)in_object(in, a->parent, sizeof(*p));
		if (!p || p->hdr.type != BINDER_TYPE_PTR || a->num_fds > (binder_size_t)max ||
		    a->parent_offset + a->num_fds * sizeof(uint32_t) > p->length)
			return -EPROTO;
		/* The driver pointed the buffer object into our map and wrote
		 * our fd numbers into it. */
		memcpy(fds, (const uint8_t *)(uintptr_t)p->buffer + a->parent_offset,
		       a->num_fds * sizeof(uint32_t));
		return (int)a->num_fds;
	}
	return -EPROTO;
}

int binder_in_handle(const struct binder_in *in, uint32_t *handle)
{
	for (size_t i = 0; i < in->nobjs; i++) {
		const struct flat_binder_object *o = (const void *)in_object(in, i, sizeof(*o));
		if (o && o->hdr.type == BINDER_TYPE_HANDLE) {
			*handle = o->handle;
			return 0;
		}
	}
	return -EPROTO;
}
