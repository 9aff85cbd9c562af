/* buffer-queue's producer, an app, one short-lived process per life: it
 * looks the consumer up, connects with its listener node, asks the
 * allocator for `slots` buffers, and each cycle dequeues a free slot,
 * renders (a vgem write fence, exported as the acquire fence), queues the
 * buffer and the fence to the consumer and signals the fence. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "device/fence.h"
#include "workloads/buffer-queue.h"
#include "workloads/promises.h"

enum slot_state { SLOT_NONE, SLOT_FREE, SLOT_QUEUED };

struct pslot {
	enum slot_state state;
	int dmabuf;          /* the allocator's buffer, received */
	uint32_t handle;     /* ... imported on the producer's file */
	uint64_t ino;
	uint32_t seq;        /* the frame queued in it */
	double queued_at;
};

struct producer {
	struct wl_proc *p;
	struct binder b;
	int fd;
	bool connected;
	uint32_t consumer;
	uint64_t cookie;     /* of the death notice of the consumer */
	int nslots;
	struct pslot slot[MAX_SLOTS];
	uint32_t next;       /* where the search for a free slot starts */
	struct fence_watch watch;  /* late release fences */
};

static void drop_slot(struct producer *pr, struct pslot *s)
{
	if (s->state == SLOT_NONE)
		return;
	close(s->dmabuf);
	wl_ioctl_result(pr->p, GS_IOC_CLOSE, RACE_NONE, gem_close(pr->fd, s->handle), "producer-close", s->handle);
	s->state = SLOT_NONE;
}

/* A buffer for slot s from the allocator; false after reporting why not. */
static bool allocate_slot(struct producer *pr, struct pslot *s, uint32_t index)
{
	struct binder_txn t;
	binder_txn_init(&t);
	struct bq_alloc req = { .size = (uint64_t)wl_get(pr->p->cfg, "size") };
	binder_txn_put(&t, &req, sizeof(req));
	struct binder_event rep;
	int r = bq_call(&pr->b, 0, GRALLOC_ALLOC, &t, &rep);
	if (r) {
		wl_anomaly(pr->p, "protocol", "slot %u: the allocator's answer: %s", index, strerror(-r));
		return false;
	}
	const struct bq_alloc_reply *a = binder_in_data(&rep.in, 0, sizeof(*a));
	int fds[1], n = binder_in_fd_array(&rep.in, fds, 1);
	/* The fd array's fds go with the reply's buffer: keep a copy. */
	int dmabuf = n == 1 ? fcntl(fds[0], F_DUPFD_CLOEXEC, 0) : -1;
	uint64_t sent = a ? a->ino : 0;
	binder_free(&pr->b, &rep.in);
	if (dmabuf < 0) {
		wl_anomaly(pr->p, "protocol", "slot %u: the allocator's answer has no buffer fd (%d fds)", index, n);
		return false;
	}
	uint64_t got = bq_inode_of(dmabuf);
	wl_promise(pr->p, "same_dmabuf", same_dmabuf_on_reexport(sent, got),
		   "slot %u: the allocator sent dma-buf inode %llu, the producer received inode %llu", index,
		   (unsigned long long)sent, (unsigned long long)got);
	uint32_t h;
	if (wl_ioctl_result(pr->p, GS_IOC_PRIME_IMPORT, RACE_NONE, prime_import(pr->fd, dmabuf, &h),
			    "producer-import", index)) {
		close(dmabuf);
		return false;
	}
	*s = (struct pslot){ .state = SLOT_FREE, .dmabuf = dmabuf, .handle = h, .ino = got };
	return true;
}

/* The consumer is gone (death notification or dead reply): what was
 * queued will not come back; the buffers stay the app's. */
static void consumer_gone(struct producer *pr)
{
	if (!pr->connected)
		return;
	binder_unwatch_death(&pr->b, pr->consumer, pr->cookie);
	binder_release(&pr->b, pr->consumer);
	pr->connected = false;
	for (int i = 0; i < pr->nslots; i++)
		if (pr->slot[i].state == SLOT_QUEUED)
			pr->slot[i].state = SLOT_FREE;
}

/* Look the compositor up (it may be restarting: ask again until it has
 * registered) and connect the listener; false when the run ends first. */
static bool producer_connect(struct producer *pr)
{
	unsigned refused = 0;
	while (!pr->connected && !wl_should_stop(pr->p)) {
		struct binder_txn t;
		binder_txn_init(&t);
		struct binder_event rep;
		int r = bq_call_manager(pr->p, &pr->b, SM_GET, &t, &rep);
		uint32_t h = 0;
		if (r == 0 && binder_in_handle(&rep.in, &h) != 0) {
			binder_free(&pr->b, &rep.in);
			r = -EPROTO;
		}
		if (r && wl_should_stop(pr->p))
			break;
		if (r) {
			wl_anomaly(pr->p, "protocol", "looking the compositor up: %s", strerror(-r));
			wl_exit(pr->p, 3);
		}
		binder_acquire(&pr->b, h);
		binder_free(&pr->b, &rep.in);
		binder_watch_death(&pr->b, h, ++pr->cookie);
		binder_txn_init(&t);
		binder_txn_put_binder(&t, NODE_LISTENER, NODE_LISTENER);
		r = bq_call(&pr->b, h, BQ_CONNECT, &t, &rep);
		if (r == 0) {
			binder_free(&pr->b, &rep.in);
			pr->consumer = h;
			pr->connected = true;
			return true;
		}
		/* It died between lookup and connect: its death notice comes too. */
		binder_unwatch_death(&pr->b, h, pr->cookie);
		binder_release(&pr->b, h);
		if (r != -EPIPE) {
			wl_anomaly(pr->p, "protocol", "connecting to the compositor: %s", strerror(-r));
			wl_backoff(&refused);
		}
	}
	return pr->connected;
}

/* A released slot: wait for its release fence, then it is free. */
static void producer_released(struct producer *pr, const struct binder_in *in)
{
	const struct bq_frame *f = binder_in_data(in, 0, sizeof(*f));
	int fence = binder_in_fd(in, 0);
	if (f && f->slot < (uint32_t)pr->nslots && pr->slot[f->slot].state == SLOT_QUEUED &&
	    pr->slot[f->slot].seq == f->seq) {
		struct pslot *s = &pr->slot[f->slot];
		if (fence >= 0) {
			/* The fd goes with the transaction: the wait keeps a copy. */
			int copy = fcntl(fence, F_DUPFD_CLOEXEC, 0);
			if (copy >= 0)
				bq_fence_wait(pr->p, &pr->watch, copy, f->seq, f->slot, now_monotonic());
			/* As a GPU driver does with a dequeued buffer's release
			 * fence: the next render waits for it through the
			 * buffer's reservation object. */
			int r = dmabuf_import_sync_file(s->dmabuf, false, fence);
			if (r)
				wl_anomaly(pr->p, "unexpected-errno", "frame %u: DMA_BUF_IOCTL_IMPORT_SYNC_FILE on slot %u: %s",
					   f->seq, f->slot, strerror(-r));
		}
		s->state = SLOT_FREE;
	}
	if (fence >= 0)
		close(fence);
}

/* Handle one event for the app's looper. */
static void producer_event(struct producer *pr, struct binder_event *ev)
{
	switch (ev->kind) {
	case BEV_DEATH:
		if (ev->cookie == pr->cookie)
			consumer_gone(pr);
		binder_death_done(&pr->b, ev->cookie);
		break;
	case BEV_TRANSACTION:
		if (ev->in.code == BQ_RELEASED)
			producer_released(pr, &ev->in);
		if (ev->in.flags & TF_ONE_WAY)
			binder_free(&pr->b, &ev->in);
		else
			bq_reply_status(&pr->b, &ev->in, -EINVAL);
		break;
	default:
		break; /* a oneway call's late failure: the death notice says more */
	}
}

/* The oldest queued slot, or NULL. */
static struct pslot *oldest_queued(struct producer *pr)
{
	struct pslot *o = NULL;
	for (int i = 0; i < pr->nslots; i++)
		if (pr->slot[i].state == SLOT_QUEUED && (!o || pr->slot[i].queued_at < o->queued_at))
			o = &pr->slot[i];
	return o;
}

/* dequeueBuffer: a free slot (waiting for one to come back), or -1 when
 * the consumer went away or the run ends. */
static int dequeue(struct producer *pr)
{
	struct binder_event ev;
	while (binder_next(&pr->b, 0, &ev) == 0)
		producer_event(pr, &ev);
	for (;;) {
		bq_watch_check(pr->p, &pr->watch);
		if (!pr->connected || wl_should_stop(pr->p))
			return -1;
		for (int k = 0; k < pr->nslots; k++) {
			uint32_t i = (pr->next + (uint32_t)k) % (uint32_t)pr->nslots;
			if (pr->slot[i].state == SLOT_NONE && !allocate_slot(pr, &pr->slot[i], i))
				return -1;
			if (pr->slot[i].state == SLOT_FREE) {
				pr->next = i + 1;
				return (int)i;
			}
		}
		struct pslot *o = oldest_queued(pr);
		double bound = (double)bq_ms(pr->p, "slot_timeout") / 1000.0;
		double left = o ? o->queued_at + bound - now_monotonic() : bound;
		int wait = left > 0 ? (int)(left * 1000.0) + 1 : 0;
		int r = binder_next(&pr->b, pr->watch.n && wait > 200 ? 200 : wait, &ev);
		if (r == 0) {
			producer_event(pr, &ev);
			continue;
		}
		if (r != -ETIME) {
			wl_anomaly(pr->p, "protocol", "producer: reading binder returns: %s", strerror(-r));
			wl_exit(pr->p, 3);
		}
		if (o && now_monotonic() >= o->queued_at + bound) {
			/* The compositor's pace, which no kernel promises. */
			wl_gauge_add(pr->p, BQ_GAUGE_LATE_SLOTS, 1);
			wl_late(pr->p, "frame %u: slot %ld queued %.1f s ago has not come back (expected within %d ms)",
				o->seq, (long)(o - pr->slot), now_monotonic() - o->queued_at, bq_ms(pr->p, "slot_timeout"));
			drop_slot(pr, o); /* abandoned: the next dequeue allocates anew */
		}
	}
}

/* One frame in slot i: render, queue, signal. */
static void produce(struct producer *pr, int i, uint32_t seq, bool hang)
{
	struct pslot *s = &pr->slot[i];
	uint32_t fence;
	int r = vgem_fence_attach(pr->fd, s->handle, true, &fence);
	if (r == -EBUSY) {
		/* Its buffer still carries a fence that never signalled (vgem
		 * expires those after 10 s): BufferQueue would reallocate. */
		drop_slot(pr, s);
		if (!allocate_slot(pr, s, (uint32_t)i))
			return;
		r = vgem_fence_attach(pr->fd, s->handle, true, &fence);
	}
	if (r) {
		wl_anomaly(pr->p, "unexpected-errno", "frame %u: VGEM_FENCE_ATTACH on slot %d: %s", seq, i, strerror(-r));
		return;
	}
	int acquire;
	r = dmabuf_export_sync_file(s->dmabuf, false, &acquire);
	if (r) {
		wl_anomaly(pr->p, "unexpected-errno", "frame %u: DMA_BUF_IOCTL_EXPORT_SYNC_FILE on slot %d: %s", seq, i,
			   strerror(-r));
		vgem_fence_signal(pr->fd, fence);
		return;
	}
	struct binder_txn t;
	binder_txn_init(&t);
	struct bq_frame f = { .slot = (uint32_t)i, .seq = seq, .ino = s->ino };
	binder_txn_put(&t, &f, sizeof(f));
	binder_txn_put_fd_array(&t, &s->dmabuf, 1);
	binder_txn_put_fd(&t, acquire);
	struct binder_event rep;
	bq_log_start(&bq_mem->acquire, seq);
	r = bq_call(&pr->b, pr->consumer, BQ_QUEUE, &t, &rep);
	if (r == 0) {
		binder_free(&pr->b, &rep.in);
		s->state = SLOT_QUEUED;
		s->seq = seq;
		s->queued_at = now_monotonic();
	} else if (r == -EPIPE) {
		consumer_gone(pr);
	} else {
		wl_anomaly(pr->p, "protocol", "frame %u: queueing slot %d: %s", seq, i, strerror(-r));
	}
	if (hang && r == 0)
		return; /* CONTROL: the job never completes; its fence stays */
	close(acquire);
	bq_signal_fence(pr->p, pr->fd, fence, &bq_mem->acquire, seq, "acquire");
}

/* A life of the app: connect, then `lifetime` frames (0 = until the end). */
int bq_producer_life(struct wl_proc *p, uint64_t lifetime, uint32_t *seq)
{
	struct producer pr = { .p = p, .nslots = (int)wl_get(p->cfg, "slots"),
			       .watch = { .what = "release", .signaller = "consumer", .log = &bq_mem->release } };
	pr.fd = wl_open_client(p, NULL);
	bq_open_binder(p, &pr.b);
	int64_t hang_every = wl_get(p->cfg, "unsignalled_every");
	unsigned errors = 0;
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, 1);
	for (uint64_t n = 0; (!lifetime || n < lifetime) && !wl_should_stop(p);) {
		if (!pr.connected && !producer_connect(&pr))
			break;
		wl_pacer_wait(&pacer);
		int i = dequeue(&pr);
		if (i < 0) {
			if (pr.connected)
				wl_backoff(&errors); /* the allocator fails us */
			continue;
		}
		errors = 0;
		uint32_t s = (*seq)++;
		produce(&pr, i, s, hang_every > 0 && s % (uint64_t)hang_every == (uint64_t)hang_every - 1);
		bq_check_dropped(p, &pr.b);
		wl_cycle_done(p);
		n++;
	}
	return 0; /* exiting is the app's death: binder releases its node and refs */
}
