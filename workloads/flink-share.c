/* flink-share: gralloc-style sharing by flink name.
 *
 * P producer processes create a buffer object, flink it and send the name
 * to whichever of C consumer processes is free; the consumer GEM_OPENs it,
 * maps and touches it when asked, closes its handle and replies; then the
 * producer closes its handle. That is one cycle.
 *
 * Channels: one SOCK_SEQPACKET request queue (every producer writes one
 * end, every consumer reads the other: each request reaches one consumer)
 * and one reply socketpair per producer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "workloads/fd-pass.h"
#include "workloads/flink-share.h"


static const struct wl_key flink_share_keys[] = {
	FLINK_SHARE_KEYS,
	WL_KEY_END,
};

struct request {
	uint32_t producer;
	uint32_t name;
	uint64_t size;
	uint32_t map;
	uint32_t seq;
};

struct reply {
	uint32_t seq;
	int32_t status; /* 0 or -errno of the consumer's first failure */
};

struct channels {
	int queue[2];         /* [0] producers send, [1] consumers receive */
	int reply[MAX_PRODUCERS][2]; /* [0] producer receives, [1] consumers send */
	int nproducers;
};

int flink_share_nprocs(const struct wl_config *cfg)
{
	return (int)(wl_get(cfg, "producers") + wl_get(cfg, "consumers"));
}

static void close_channels(struct channels *ch)
{
	if (ch->queue[0] >= 0) {
		close(ch->queue[0]);
		close(ch->queue[1]);
	}
	for (int i = 0; i < ch->nproducers; i++) {
		close(ch->reply[i][0]);
		close(ch->reply[i][1]);
	}
	free(ch);
}

void *flink_share_setup(const struct wl_config *cfg)
{
	struct channels *ch = calloc(1, sizeof(*ch));
	if (!ch)
		return NULL;
	ch->queue[0] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch->queue) < 0)
		goto fail;
	int n = (int)wl_get(cfg, "producers");
	for (; ch->nproducers < n; ch->nproducers++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch->reply[ch->nproducers]) < 0)
			goto fail;
	return ch;
fail:;
	int e = errno;
	close_channels(ch);
	errno = e;
	return NULL;
}

void flink_share_teardown(void *chan)
{
	close_channels(chan);
}

int flink_share_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	struct channels *ch = chan;
	if (index < ch->nproducers) {
		fds[0] = ch->queue[0];
		fds[1] = ch->reply[index][0];
		return 2;
	}
	int n = 0;
	fds[n++] = ch->queue[1];
	for (int i = 0; i < ch->nproducers && n < max; i++)
		fds[n++] = ch->reply[i][1];
	return n;
}

static void produce(struct wl_proc *p, int64_t leak_every) __attribute__((noreturn));
static void produce(struct wl_proc *p, int64_t leak_every)
{
	int fd = wl_open_client(p, NULL);
	int queue = p->fds[0], reply_fd = p->fds[1];
	uint64_t size = (uint64_t)wl_get(p->cfg, "size");
	int64_t map_every = wl_get(p->cfg, "map_every");
	int producers = (int)wl_get(p->cfg, "producers");
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, producers);
	unsigned errors_in_row = 0;

	for (uint32_t seq = 0; !wl_should_stop(p); seq++) {
		wl_pacer_wait(&pacer);
		uint32_t handle, name;
		int r = gem_create(fd, p->dev->kind, size, &handle);
		if (r) {
			wl_count_error(p, GS_IOC_CREATE, r);
			wl_backoff(&errors_in_row);
			continue;
		}
		r = gem_flink(fd, handle, &name);
		if (r) {
			wl_count_error(p, GS_IOC_FLINK, r);
			gem_close(fd, handle);
			wl_backoff(&errors_in_row);
			continue;
		}
		struct request req = {
			.producer = (uint32_t)p->index, .name = name, .size = size, .seq = seq,
			.map = map_every > 0 && seq % (uint64_t)map_every == 0,
		};
		fdpass_send(p, queue, &req, sizeof(req), NULL, 0);
		struct reply rep;
		fdpass_recv(p, reply_fd, &rep, sizeof(rep), NULL, 0);
		if (rep.seq != seq)
			wl_report(p, "protocol", "reply for cycle %u while waiting for %u", rep.seq, seq);

		/* The canary keeps one handle in every leak_every cycles, so its
		 * flink name and object stay: a leak of known rate. */
		uint64_t done = atomic_load_explicit(&p->ctr->cycles, memory_order_relaxed) + 1;
		bool keep = leak_every > 0 && done % (uint64_t)leak_every == 0;
		if (!keep) {
			r = gem_close(fd, handle);
			if (r)
				wl_count_error(p, GS_IOC_CLOSE, r);
		}
		errors_in_row = rep.status ? errors_in_row : 0;
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

static void consume(struct wl_proc *p) __attribute__((noreturn));
static void consume(struct wl_proc *p)
{
	int fd = wl_open_client(p, NULL);
	int queue = p->fds[0];
	for (;;) {
		struct request req;
		fdpass_recv(p, queue, &req, sizeof(req), NULL, 0);
		struct reply rep = { .seq = req.seq };
		uint32_t handle;
		uint64_t size;
		int r = gem_open(fd, req.name, &handle, &size);
		if (r) {
			wl_count_error(p, GS_IOC_OPEN, r);
			rep.status = r;
		} else {
			if (size != req.size)
				wl_report(p, "size", "flink name %u opened with size %llu, created with %llu",
					  req.name, (unsigned long long)size, (unsigned long long)req.size);
			uint64_t off = 0;
			if (req.map && (r = gem_map_offset(fd, handle, &off)) != 0) {
				wl_count_error(p, GS_IOC_MAP_OFFSET, r);
				rep.status = r;
			} else if (req.map && (r = gem_touch(fd, off, size)) != 0) {
				wl_count_error(p, GS_IOC_MMAP, r);
				rep.status = r;
			}
			if ((r = gem_close(fd, handle)) != 0)
				wl_count_error(p, GS_IOC_CLOSE, r);
		}
		if (req.producer + 1 >= (uint32_t)p->nfds)
			wl_exit(p, 3);
		fdpass_send(p, p->fds[1 + req.producer], &rep, sizeof(rep), NULL, 0);
	}
}

void flink_share_run_roles(struct wl_proc *p, int64_t leak_every)
{
	if (p->index < (int)wl_get(p->cfg, "producers"))
		produce(p, leak_every);
	consume(p);
}

static void flink_share_run(struct wl_proc *p) __attribute__((noreturn));
static void flink_share_run(struct wl_proc *p)
{
	flink_share_run_roles(p, 0);
}

const struct wl_type wl_flink_share = {
	.name = "flink-share",
	.summary = "producers create and flink buffers, consumers GEM_OPEN, map and close them",
	.keys = flink_share_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK,
	FLINK_SHARE_PROCESSES,
	.run = flink_share_run,
};
