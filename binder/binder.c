#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/util.h"
#include "binder/binder.h"

static void put_cmd(struct binder *b, uint32_t cmd, const void *arg, size_t n)
{
	/* Commands are small and flushed before every wait: the buffer only
	 * fills if a caller queues hundreds without waiting. */
	if (b->wlen + sizeof(cmd) + n > sizeof(b->wbuf))
		binder_flush(b);
	if (b->wlen + sizeof(cmd) + n > sizeof(b->wbuf)) {
		b->dropped++;
		return;
	}
	memcpy(b->wbuf + b->wlen, &cmd, sizeof(cmd));
	if (n)
		memcpy(b->wbuf + b->wlen + sizeof(cmd), arg, n);
	b->wlen += sizeof(cmd) + n;
}

/* One BINDER_WRITE_READ: the queued commands, then whatever the driver
 * has for this thread, appended to the returns not yet taken. The file is
 * non-blocking: waiting is poll's job, so that a write is never stuck
 * behind a return (the driver takes no command while an error return is
 * pending). */
static int write_read(struct binder *b)
{
	if (b->rpos) {
		memmove(b->rbuf, b->rbuf + b->rpos, b->rlen - b->rpos);
		b->rlen -= b->rpos;
		b->rpos = 0;
	}
	size_t room = sizeof(b->rbuf) - b->rlen;
	struct binder_write_read bwr = {
		.write_size = b->wlen, .write_buffer = (uintptr_t)b->wbuf,
		/* the largest return is BR_TRANSACTION's 4 + 64 bytes */
		.read_size = room >= 128 ? room : 0, .read_buffer = (uintptr_t)(b->rbuf + b->rlen),
	};
	int r = ioctl(b->fd, BINDER_WRITE_READ, &bwr);
	int e = r < 0 ? errno : 0;
	/* On EAGAIN and EINTR the driver still says how much it took. */
	if (bwr.write_consumed > 0) {
		memmove(b->wbuf, b->wbuf + bwr.write_consumed, b->wlen - bwr.write_consumed);
		b->wlen -= bwr.write_consumed;
	}
	b->rlen += bwr.read_consumed;
	return e == EAGAIN || e == EINTR ? 0 : -e;
}

int binder_flush(struct binder *b)
{
	while (b->wlen) {
		size_t before = b->wlen, had = b->rlen - b->rpos;
		int r = write_read(b);
		if (r)
			return r;
		if (b->wlen == before && b->rlen - b->rpos == had)
			return -EAGAIN; /* returns fill the buffer: the next binder_next takes them */
	}
	return 0;
}

int binder_open(struct binder *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	b->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (b->fd < 0)
		return -errno;
	struct binder_version v = { 0 };
	int r = 0;
	uint32_t threads = 0;
	if (ioctl(b->fd, BINDER_VERSION, &v) < 0)
		r = -errno;
	else if (v.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION)
		r = -EPROTO;
	else if (ioctl(b->fd, BINDER_SET_MAX_THREADS, &threads) < 0)
		r = -errno;
	if (!r) {
		b->map = mmap(NULL, BINDER_MAP_SIZE, PROT_READ, MAP_PRIVATE, b->fd, 0);
		if (b->map == MAP_FAILED) {
			b->map = NULL;
			r = -errno;
		}
	}
	if (!r) {
		put_cmd(b, BC_ENTER_LOOPER, NULL, 0);
		r = binder_flush(b);
	}
	if (r)
		binder_close(b);
	return r;
}

void binder_close(struct binder *b)
{
	if (b->map)
		munmap(b->map, BINDER_MAP_SIZE);
	if (b->fd >= 0)
		close(b->fd);
	b->map = NULL;
	b->fd = -1;
}

int binder_become_manager(struct binder *b)
{
	struct flat_binder_object obj = { 0 };
	if (ioctl(b->fd, BINDER_SET_CONTEXT_MGR_EXT, &obj) == 0)
		return 0;
	int zero = 0;
	return ioctl(b->fd, BINDER_SET_CONTEXT_MGR, &zero) < 0 ? -errno : 0;
}

bool binder_probe(const char *path)
{
	struct binder b;
	if (binder_open(&b, path))
		return false;
	binder_close(&b);
	return true;
}

/* ---- commands ---- */

static void put_txn(struct binder *b, uint32_t cmd, uint32_t handle, uint32_t code, uint32_t flags,
		    const struct binder_txn *t)
{
	struct binder_transaction_data_sg sg = {
		.transaction_data = {
			.target.handle = handle, .code = code, .flags = flags | TF_ACCEPT_FDS,
			.data_size = t->len, .offsets_size = t->nobjs * sizeof(binder_size_t),
			.data.ptr.buffer = (uintptr_t)t->data, .data.ptr.offsets = (uintptr_t)t->offs,
		},
		.buffers_size = t->has_handle ? (sizeof(t->handle) + 7) & ~(size_t)7 : 0,
	};
	put_cmd(b, cmd, &sg, sizeof(sg));
}

void binder_free(struct binder *b, const struct binder_in *in)
{
	binder_uintptr_t buf = in->buffer;
	put_cmd(b, BC_FREE_BUFFER, &buf, sizeof(buf));
}

int binder_reply(struct binder *b, const struct binder_in *in, const struct binder_txn *t)
{
	put_txn(b, BC_REPLY_SG, 0, 0, 0, t);
	binder_free(b, in);
	return binder_flush(b);
}

static void put_handle_cmd(struct binder *b, uint32_t cmd, uint32_t handle)
{
	put_cmd(b, cmd, &handle, sizeof(handle));
}

void binder_acquire(struct binder *b, uint32_t handle)
{
	put_handle_cmd(b, BC_INCREFS, handle);
	put_handle_cmd(b, BC_ACQUIRE, handle);
}

void binder_release(struct binder *b, uint32_t handle)
{
	put_handle_cmd(b, BC_RELEASE, handle);
	put_handle_cmd(b, BC_DECREFS, handle);
}

void binder_watch_death(struct binder *b, uint32_t handle, uint64_t cookie)
{
	struct binder_handle_cookie hc = { .handle = handle, .cookie = cookie };
	put_cmd(b, BC_REQUEST_DEATH_NOTIFICATION, &hc, sizeof(hc));
}

void binder_unwatch_death(struct binder *b, uint32_t handle, uint64_t cookie)
{
	struct binder_handle_cookie hc = { .handle = handle, .cookie = cookie };
	put_cmd(b, BC_CLEAR_DEATH_NOTIFICATION, &hc, sizeof(hc));
}

void binder_death_done(struct binder *b, uint64_t cookie)
{
	binder_uintptr_t c = cookie;
	put_cmd(b, BC_DEAD_BINDER_DONE, &c, sizeof(c));
}

/* ---- returns ---- */

static void take(struct binder *b, void *out, size_t n)
{
	memcpy(out, b->rbuf + b->rpos, n);
	b->rpos += n;
}

/* The next event in what the driver returned: 1 with *ev filled, 0 when
 * the read buffer holds no more, -EPROTO on a return not known here. */
static int parse_one(struct binder *b, struct binder_event *ev)
{
	while (b->rpos + sizeof(uint32_t) <= b->rlen) {
		uint32_t cmd;
		take(b, &cmd, sizeof(cmd));
		size_t arg = _IOC_SIZE(cmd);
		if (b->rpos + arg > b->rlen)
			return -EPROTO;
		switch (cmd) {
		case BR_NOOP:
		case BR_OK:
		case BR_TRANSACTION_COMPLETE:
		case BR_SPAWN_LOOPER:
		case BR_FINISHED:
			break;
		case BR_CLEAR_DEATH_NOTIFICATION_DONE:
		case BR_RELEASE:
		case BR_DECREFS:
		case BR_ERROR:
			b->rpos += arg;
			break;
		case BR_INCREFS:
		case BR_ACQUIRE: {
			struct binder_ptr_cookie pc;
			take(b, &pc, sizeof(pc));
			put_cmd(b, cmd == BR_INCREFS ? BC_INCREFS_DONE : BC_ACQUIRE_DONE, &pc, sizeof(pc));
			break;
		}
		case BR_TRANSACTION:
		case BR_REPLY: {
			struct binder_transaction_data td;
			take(b, &td, sizeof(td));
			memset(ev, 0, sizeof(*ev));
			ev->kind = cmd == BR_REPLY ? BEV_REPLY : BEV_TRANSACTION;
			ev->in = (struct binder_in){
				.code = td.code, .flags = td.flags, .sender_pid = td.sender_pid,
				.target = td.target.ptr, .cookie = td.cookie,
				.data = (const uint8_t *)(uintptr_t)td.data.ptr.buffer, .len = td.data_size,
				.offs = (const binder_size_t *)(uintptr_t)td.data.ptr.offsets,
				.nobjs = td.offsets_size / sizeof(binder_size_t), .buffer = td.data.ptr.buffer,
			};
			return 1;
		}
		case BR_DEAD_REPLY:
		case BR_FAILED_REPLY:
		case BR_FROZEN_REPLY:
			memset(ev, 0, sizeof(*ev));
			ev->kind = cmd == BR_DEAD_REPLY ? BEV_DEAD_REPLY : BEV_FAILED_REPLY;
			return 1;
		case BR_DEAD_BINDER: {
			binder_uintptr_t c;
			take(b, &c, sizeof(c));
			memset(ev, 0, sizeof(*ev));
			ev->kind = BEV_DEATH;
			ev->cookie = c;
			return 1;
		}
		default:
			b->rpos = b->rlen;
			return -EPROTO;
		}
	}
	return 0;
}

/* The next event from the driver (not the deferred ones). */
static int next_raw(struct binder *b, int timeout_ms, struct binder_event *ev)
{
	double end = timeout_ms > 0 ? now_monotonic() + timeout_ms / 1000.0 : 0;
	for (;;) {
		int r = parse_one(b, ev);
		if (r)
			return r < 0 ? r : 0;
		if ((r = write_read(b)) != 0)
			return r;
		if (b->rlen > b->rpos)
			continue;
		int wait = timeout_ms;
		if (timeout_ms > 0) {
			double left = end - now_monotonic();
			wait = left > 0 ? (int)(left * 1000.0) + 1 : 0;
		}
		if (wait == 0)
			return -ETIME;
		struct pollfd p = { .fd = b->fd, .events = POLLIN };
		r = poll(&p, 1, wait);
		if (r == 0)
			return -ETIME;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int binder_next(struct binder *b, int timeout_ms, struct binder_event *ev)
{
	if (b->ndeferred) {
		*ev = b->deferred[0];
		memmove(b->deferred, b->deferred + 1, --b->ndeferred * sizeof(b->deferred[0]));
		return 0;
	}
	return next_raw(b, timeout_ms, ev);
}

int binder_transact(struct binder *b, uint32_t handle, uint32_t code, const struct binder_txn *t,
		    bool oneway, struct binder_event *reply)
{
	put_txn(b, BC_TRANSACTION_SG, handle, code, oneway ? TF_ONE_WAY : 0, t);
	if (oneway)
		return binder_flush(b);
	for (;;) {
		struct binder_event ev;
		int r = next_raw(b, -1, &ev);
		if (r)
			return r;
		if (ev.kind == BEV_REPLY || ev.kind == BEV_DEAD_REPLY || ev.kind == BEV_FAILED_REPLY) {
			*reply = ev;
			return 0;
		}
		if (b->ndeferred == BINDER_DEFERRED)
			return -ENOBUFS;
		b->deferred[b->ndeferred++] = ev;
	}
}
