/* buffer-queue's consumer, the compositor, one process per life: it
 * imports each queued buffer, waits for its acquire fence, composes (a
 * vgem read fence, exported as the release fence) and releases the slot
 * to the producer's listener with the release fence. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "device/fence.h"
#include "workloads/buffer-queue.h"
#include "workloads/promises.h"

struct consumer {
	struct wl_proc *p;
	struct binder b;
	int fd;
	bool connected;
	uint32_t producer;
	uint64_t cookie;     /* of the death notice of the producer */
	uint64_t frames;
	struct fence_watch watch;  /* late acquire fences */
};

static void producer_gone(struct consumer *c)
{
	if (!c->connected)
		return;
	binder_unwatch_death(&c->b, c->producer, c->cookie);
	binder_release(&c->b, c->producer);
	c->connected = false;
}

/* Release slot f to the listener, with a release fence unless
 * release_fence < 0 (a dropped frame). */
static void release_slot(struct consumer *c, const struct bq_frame *f, int release_fence)
{
	struct binder_txn t;
	binder_txn_init(&t);
	binder_txn_put(&t, f, sizeof(*f));
	if (release_fence >= 0)
		binder_txn_put_fd(&t, release_fence);
	struct binder_event unused;
	binder_transact(&c->b, c->producer, BQ_RELEASED, &t, true, &unused);
}

/* Latch and compose a frame queued at `came`, then release its slot. */
static void compose(struct consumer *c, const struct bq_frame *f, int buf, int acquire, double came)
{
	struct wl_proc *p = c->p;
	if (!bq_fence_wait(p, &c->watch, acquire, f->seq, f->slot, came)) {
		release_slot(c, f, -1); /* dropped, as SurfaceFlinger drops a frame it cannot latch */
		return;
	}
	uint32_t h, fence;
	int r;
	if (wl_ioctl_result(p, GS_IOC_PRIME_IMPORT, RACE_NONE, prime_import(c->fd, buf, &h), "consumer-import", f->seq)) {
		release_slot(c, f, -1);
		return;
	}
	r = vgem_fence_attach(c->fd, h, false, &fence);
	int release = -1;
	bq_log_start(&bq_mem->release, f->seq);
	if (r == 0 && (r = dmabuf_export_sync_file(buf, true, &release)) != 0)
		vgem_fence_signal(c->fd, fence);
	if (r)
		wl_anomaly(p, "unexpected-errno", "frame %u: composing slot %u: %s", f->seq, f->slot, strerror(-r));
	release_slot(c, f, release);
	if (release >= 0) {
		close(release);
		/* Composition done: the release fence the producer waits for signals. */
		bq_signal_fence(p, c->fd, fence, &bq_mem->release, f->seq, "release");
	}
	wl_ioctl_result(p, GS_IOC_CLOSE, RACE_NONE, gem_close(c->fd, h), "consumer-close", h);
}

/* queueBuffer: check and keep what came, answer, then compose. */
static void consumer_queue(struct consumer *c, const struct binder_in *in)
{
	struct wl_proc *p = c->p;
	double came = now_monotonic();
	const struct bq_frame *pf = binder_in_data(in, 0, sizeof(*pf));
	int fds[1], n = binder_in_fd_array(in, fds, 1), acquire = binder_in_fd(in, 0);
	if (!pf || n != 1 || acquire < 0) {
		wl_anomaly(p, "protocol", "a queued frame without its buffer or fence (%d buffer fds, fence %d)", n, acquire);
		if (acquire >= 0)
			close(acquire);
		bq_reply_status(&c->b, in, -EINVAL);
		return;
	}
	struct bq_frame f = *pf;
	uint64_t got = bq_inode_of(fds[0]);
	wl_promise(p, "same_dmabuf", same_dmabuf_on_reexport(f.ino, got),
		   "frame %u: slot %u sent as dma-buf inode %llu, received as inode %llu", f.seq, f.slot,
		   (unsigned long long)f.ino, (unsigned long long)got);
	/* The fd array's fds close with the transaction's buffer. */
	int buf = fcntl(fds[0], F_DUPFD_CLOEXEC, 0);
	bq_reply_status(&c->b, in, buf < 0 ? -errno : 0);
	if (buf < 0) {
		close(acquire);
		return;
	}
	compose(c, &f, buf, acquire, came);
	c->frames++;
	int64_t keep = wl_get(p->cfg, "keep_fd_every");
	if (keep > 0 && c->frames % (uint64_t)keep == 0)
		return; /* CONTROL: this received fd is never closed */
	close(buf);
}

static void consumer_event(struct consumer *c, struct binder_event *ev)
{
	if (ev->kind == BEV_DEATH) {
		if (ev->cookie == c->cookie)
			producer_gone(c);
		binder_death_done(&c->b, ev->cookie);
		return;
	}
	if (ev->kind != BEV_TRANSACTION)
		return;
	uint32_t h;
	switch (ev->in.code) {
	case BQ_CONNECT:
		if (binder_in_handle(&ev->in, &h)) {
			bq_reply_status(&c->b, &ev->in, -EINVAL);
			break;
		}
		binder_acquire(&c->b, h);
		producer_gone(c); /* a new app: the previous one's listener goes */
		binder_watch_death(&c->b, h, ++c->cookie);
		c->producer = h;
		c->connected = true;
		bq_reply_status(&c->b, &ev->in, 0);
		break;
	case BQ_QUEUE:
		if (c->connected) {
			consumer_queue(c, &ev->in);
			break;
		}
		/* nobody to release to */
		__attribute__((fallthrough));
	default:
		if (ev->in.flags & TF_ONE_WAY) {
			binder_free(&c->b, &ev->in);
		} else {
			int fence = binder_in_fd(&ev->in, 0);
			if (fence >= 0)
				close(fence);
			bq_reply_status(&c->b, &ev->in, -EINVAL);
		}
	}
}

/* A life of the compositor: register, then `lifetime` frames. */
int bq_consumer_life(struct wl_proc *p, uint64_t lifetime)
{
	struct consumer c = { .p = p, .watch = { .what = "acquire", .signaller = "producer", .log = &bq_mem->acquire } };
	c.fd = wl_open_client(p, NULL);
	bq_open_binder(p, &c.b);
	struct binder_txn t;
	binder_txn_init(&t);
	binder_txn_put_binder(&t, NODE_CONSUMER, NODE_CONSUMER);
	struct binder_event rep;
	int r = bq_call_manager(p, &c.b, SM_ADD, &t, &rep);
	if (r && wl_should_stop(p))
		return 0;
	if (r) {
		wl_anomaly(p, "protocol", "registering the compositor: %s", strerror(-r));
		return 3;
	}
	binder_free(&c.b, &rep.in);
	while ((!lifetime || c.frames < lifetime) && !wl_should_stop(p)) {
		struct binder_event ev;
		r = binder_next(&c.b, 200, &ev);
		bq_watch_check(p, &c.watch);
		if (r == -ETIME)
			continue;
		if (r) {
			wl_anomaly(p, "protocol", "consumer: reading binder returns: %s", strerror(-r));
			return 3;
		}
		consumer_event(&c, &ev);
		binder_flush(&c.b);
		bq_check_dropped(p, &c.b);
	}
	return 0;
}
