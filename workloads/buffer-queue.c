/* buffer-queue: Android's own sharing path. A BufferQueue-shaped cycle
 * over binder, with sync_file fences, between three processes:
 *
 *  0  the allocator (gralloc), which is also the context manager (the
 *     service manager, handle 0): it keeps the compositor's registration
 *     and allocates buffers, answering with the dma-buf fd in an fd array
 *     (a native_handle, as gralloc's HIDL allocator does);
 *  1  the producer (the app), one short-lived process per app life;
 *  2  the consumer (the compositor), one process per compositor life.
 *
 * The producer looks the consumer up, connects with its listener node
 * (IProducerListener) and asks the allocator for `slots` buffers. Each
 * cycle it dequeues a free slot, "renders" (attaches a vgem write fence
 * and exports the acquire fence as a sync_file from the dma-buf), queues
 * the buffer (fd array) and the fence (fd object) to the consumer in a
 * binder transaction, and signals the fence. The consumer imports the
 * buffer (PRIME fd-to-handle), waits for the acquire fence, "composes"
 * (a vgem read fence, exported as the release fence) and releases the
 * slot to the listener in a oneway transaction with the release fence;
 * the producer waits for it and imports it into the buffer
 * (DMA_BUF_IOCTL_IMPORT_SYNC_FILE) before using the slot again. Apps die and
 * the compositor restarts on a seeded schedule; the survivors learn of it
 * from binder death notifications, as Android's processes do.
 *
 * Promises checked: the fd received is the dma-buf that was sent (its
 * inode); a fence signals within fence_timeout; a queued slot comes back
 * within slot_timeout.
 *
 * Positive controls (never for real runs): keep_fd_every = N makes the
 * consumer keep one received buffer fd every N frames; unsignalled_every
 * = N makes the producer never signal one render fence every N cycles
 * and keep that fence's sync_file, as a driver keeps the fence of a job
 * that never completes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "device/binder.h"
#include "device/fence.h"
#include "workloads/prng.h"
#include "workloads/promises.h"

#define MAX_SLOTS 8

static const struct wl_key buffer_queue_keys[] = {
	{ "slots", WK_INT, 1, MAX_SLOTS, 3, "buffers in the queue (BufferQueue's slots)" },
	{ "producer_lifetime", WK_INT, 0, 1000000000, 500, "mean cycles of an app's life before it dies; 0 = never" },
	{ "consumer_lifetime", WK_INT, 0, 1000000000, 2000, "mean frames of the compositor's life before it restarts; 0 = never" },
	{ "fence_timeout", WK_DURATION, 1, 60000, 1000, "the bound within which a fence must signal" },
	{ "slot_timeout", WK_DURATION, 1, 600000, 5000, "the bound within which a queued slot must come back" },
	{ "keep_fd_every", WK_INT, 0, 1000000000, 0, "CONTROL: the consumer keeps one received buffer fd every N frames; 0 = never" },
	{ "unsignalled_every", WK_INT, 0, 1000000000, 0, "CONTROL: the producer never signals one fence every N cycles and keeps its sync_file; 0 = never" },
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK,
	WL_KEY_END,
};

enum { ROLE_ALLOCATOR, ROLE_PRODUCER, ROLE_CONSUMER, ROLES };

/* Transaction codes: the service manager's and gralloc's (handle 0), the
 * consumer's (IGraphicBufferProducer, simplified) and the listener's. */
enum {
	SM_ADD = 1,      /* binder: register the consumer */
	SM_GET,          /* reply: its handle */
	GRALLOC_ALLOC,   /* bq_alloc → bq_alloc_reply + fd array [dma-buf] */
	BQ_CONNECT = 10, /* binder: the producer's listener */
	BQ_QUEUE,        /* bq_frame + fd array [dma-buf] + fd [acquire fence] */
	BQ_RELEASED = 20 /* oneway, bq_frame + fd [release fence] unless dropped */
};

/* Local node addresses (the driver only uses them as keys). Death
 * notification cookies count up, so that the late notice of a peer that
 * was already given up cannot be taken for its successor's. */
#define NODE_CONSUMER 0x1000
#define NODE_LISTENER 0x2000

struct bq_status { int32_t status; uint32_t pad; };
struct bq_alloc { uint64_t size; };
struct bq_alloc_reply { int32_t status; uint32_t pad; uint64_t ino; };
struct bq_frame { uint32_t slot, seq; uint64_t ino; };

static int buffer_queue_nprocs(const struct wl_config *cfg)
{
	return ROLES;
}

/* The processes talk over binder only: no channels to set up. */
static int no_channels;

static void *buffer_queue_setup(const struct wl_config *cfg)
{
	return &no_channels;
}

static int buffer_queue_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	return 0;
}

static void buffer_queue_teardown(void *chan)
{
}

static int ms(const struct wl_proc *p, const char *key)
{
	return (int)wl_get(p->cfg, key);
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Open the binder device or end this process with the reason, as an
 * unusable device (the supervisor says so once and restarts with backoff). */
static void open_binder(struct wl_proc *p, struct binder *b)
{
	int r = binder_open(b, BINDER_DEFAULT_DEVICE);
	if (r) {
		wl_report(p, "device", "cannot open %s: %s", BINDER_DEFAULT_DEVICE, strerror(-r));
		wl_exit(p, WL_EXIT_DEVICE);
	}
}

/* Commands the binder client could not queue would break its protocol
 * silently: say so. */
static void check_dropped(struct wl_proc *p, struct binder *b)
{
	if (b->dropped) {
		wl_anomaly(p, "protocol", "%u binder commands lost to a full command buffer", b->dropped);
		b->dropped = 0;
	}
}

static void reply_status(struct binder *b, const struct binder_in *in, int32_t status)
{
	struct binder_txn t;
	txn_init(&t);
	struct bq_status st = { .status = status };
	txn_put(&t, &st, sizeof(st));
	binder_reply(b, in, &t);
}

/* A two-way call whose reply starts with a bq_status: 0 with the reply
 * to free, the callee's negative status, -EPIPE when the callee's process
 * is gone, -EPROTO when the driver refused the call. */
static int call(struct binder *b, uint32_t handle, uint32_t code, const struct binder_txn *t,
		struct binder_event *rep)
{
	int r = binder_transact(b, handle, code, t, false, rep);
	if (r)
		return r;
	if (rep->kind == BEV_DEAD_REPLY)
		return -EPIPE;
	if (rep->kind != BEV_REPLY)
		return -EPROTO;
	const struct bq_status *st = in_data(&rep->in, 0, sizeof(*st));
	r = !st ? -EPROTO : st->status > 0 ? -EPROTO : st->status;
	if (r)
		binder_free(b, &rep->in);
	return r;
}

/* A call to the service manager, which may not be up yet (the workload
 * is starting) or not know the compositor yet (it is restarting): asked
 * again, as servicemanager's clients poll (waitForService). */
static int call_manager(struct wl_proc *p, struct binder *b, uint32_t code, const struct binder_txn *t,
			struct binder_event *rep)
{
	for (unsigned waits = 1;; waits++) {
		int r = call(b, 0, code, t, rep);
		if ((r != -EPIPE && r != -ENOENT) || wl_should_stop(p))
			return r;
		if (waits % 500 == 0)
			wl_anomaly(p, "protocol", "%s: no answer for %u s (%s)",
				   code == SM_ADD ? "registering the compositor" : "looking the compositor up",
				   waits / 50, r == -EPIPE ? "no context manager" : "not registered");
		usleep(20000);
	}
}

/* ---- the allocator and service manager ---- */

/* Allocate one buffer and send it back as a native handle. */
static void gralloc_alloc(struct wl_proc *p, struct binder *b, int fd, const struct binder_in *in)
{
	const struct bq_alloc *req = in_data(in, 0, sizeof(*req));
	uint32_t h;
	int dmabuf = -1;
	int r = req ? gem_create(fd, p->dev->kind, req->size, &h) : -EPROTO;
	if (r) {
		if (req)
			wl_count_error(p, GS_IOC_CREATE, r);
		reply_status(b, in, r);
		return;
	}
	r = wl_ioctl_result(p, GS_IOC_PRIME_EXPORT, RACE_NONE, prime_export(fd, h, &dmabuf), "gralloc-export", h);
	struct binder_txn t;
	txn_init(&t);
	struct bq_alloc_reply rep = { .status = r, .ino = r ? 0 : inode_of(dmabuf) };
	txn_put(&t, &rep, sizeof(rep));
	if (!r)
		txn_put_fd_array(&t, &dmabuf, 1);
	binder_reply(b, in, &t);
	/* The driver took its own reference to the file while replying: the
	 * allocator keeps nothing of the buffer, as gralloc's allocator does. */
	if (dmabuf >= 0)
		close(dmabuf);
	gem_close(fd, h);
}

static void allocator_run(struct wl_proc *p) __attribute__((noreturn));
static void allocator_run(struct wl_proc *p)
{
	int fd = wl_open_client(p, NULL);
	struct binder b;
	open_binder(p, &b);
	/* The previous context manager's node goes in the driver's deferred
	 * work after its process died: give it a moment. */
	int r = -EBUSY;
	for (int tries = 0; tries < 50 && (r = binder_become_manager(&b)) == -EBUSY; tries++)
		usleep(20000);
	if (r) {
		wl_report(p, "device", "cannot become the context manager of %s: %s (does another process, "
			  "a service manager or another buffer-queue workload, hold it?)", BINDER_DEFAULT_DEVICE,
			  strerror(-r));
		wl_exit(p, WL_EXIT_DEVICE);
	}
	bool registered = false;
	uint32_t consumer = 0;
	uint64_t cookie = 0;
	while (!wl_should_stop(p)) {
		struct binder_event ev;
		r = binder_next(&b, 200, &ev);
		if (r == -ETIME)
			continue;
		if (r) {
			wl_anomaly(p, "protocol", "allocator: reading binder returns: %s", strerror(-r));
			wl_exit(p, 3);
		}
		if (ev.kind == BEV_DEATH) {
			/* The compositor died: forget it, as servicemanager does. */
			if (registered && ev.cookie == cookie) {
				binder_unwatch_death(&b, consumer, cookie);
				binder_release(&b, consumer);
				registered = false;
			}
			binder_death_done(&b, ev.cookie);
			continue;
		}
		if (ev.kind != BEV_TRANSACTION)
			continue;
		if (ev.in.flags & TF_ONE_WAY) {
			binder_free(&b, &ev.in);
			continue;
		}
		uint32_t h;
		switch (ev.in.code) {
		case SM_ADD:
			if (in_handle(&ev.in, &h)) {
				reply_status(&b, &ev.in, -EINVAL);
				break;
			}
			binder_acquire(&b, h); /* before the buffer's own reference goes */
			if (registered && consumer != h) {
				binder_unwatch_death(&b, consumer, cookie);
				binder_release(&b, consumer);
			}
			if (!registered || consumer != h)
				binder_watch_death(&b, h, ++cookie);
			else
				binder_release(&b, h); /* registered again: one reference is enough */
			consumer = h;
			registered = true;
			reply_status(&b, &ev.in, 0);
			break;
		case SM_GET: {
			struct binder_txn t;
			txn_init(&t);
			struct bq_status st = { .status = registered ? 0 : -ENOENT };
			txn_put(&t, &st, sizeof(st));
			if (registered)
				txn_put_handle(&t, consumer);
			binder_reply(&b, &ev.in, &t);
			break;
		}
		case GRALLOC_ALLOC:
			gralloc_alloc(p, &b, fd, &ev.in);
			break;
		default:
			reply_status(&b, &ev.in, -EINVAL);
		}
		binder_flush(&b);
		check_dropped(p, &b);
	}
	wl_exit(p, 0);
}

/* ---- the producer (an app) ---- */

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
	txn_init(&t);
	struct bq_alloc req = { .size = (uint64_t)wl_get(pr->p->cfg, "size") };
	txn_put(&t, &req, sizeof(req));
	struct binder_event rep;
	int r = call(&pr->b, 0, GRALLOC_ALLOC, &t, &rep);
	if (r) {
		wl_anomaly(pr->p, "protocol", "slot %u: the allocator's answer: %s", index, strerror(-r));
		return false;
	}
	const struct bq_alloc_reply *a = in_data(&rep.in, 0, sizeof(*a));
	int fds[1], n = in_fd_array(&rep.in, fds, 1);
	/* The fd array's fds go with the reply's buffer: keep a copy. */
	int dmabuf = n == 1 ? fcntl(fds[0], F_DUPFD_CLOEXEC, 0) : -1;
	uint64_t sent = a ? a->ino : 0;
	binder_free(&pr->b, &rep.in);
	if (dmabuf < 0) {
		wl_anomaly(pr->p, "protocol", "slot %u: the allocator's answer has no buffer fd (%d fds)", index, n);
		return false;
	}
	uint64_t got = inode_of(dmabuf);
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
		txn_init(&t);
		struct binder_event rep;
		int r = call_manager(pr->p, &pr->b, SM_GET, &t, &rep);
		uint32_t h = 0;
		if (r == 0 && in_handle(&rep.in, &h) != 0) {
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
		txn_init(&t);
		txn_put_binder(&t, NODE_LISTENER, NODE_LISTENER);
		r = call(&pr->b, h, BQ_CONNECT, &t, &rep);
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
	const struct bq_frame *f = in_data(in, 0, sizeof(*f));
	int fence = in_fd(in, 0);
	if (f && f->slot < (uint32_t)pr->nslots && pr->slot[f->slot].state == SLOT_QUEUED &&
	    pr->slot[f->slot].seq == f->seq) {
		struct pslot *s = &pr->slot[f->slot];
		if (fence >= 0) {
			int r = sync_file_wait(fence, ms(pr->p, "fence_timeout"));
			wl_promise(pr->p, "fence_signals", r == 0,
				   "frame %u: the release fence of slot %u did not signal within %d ms (%s)", f->seq,
				   f->slot, ms(pr->p, "fence_timeout"), strerror(-r));
			/* As a GPU driver does with a dequeued buffer's release
			 * fence: the next render waits for it through the
			 * buffer's reservation object. */
			r = dmabuf_import_sync_file(s->dmabuf, false, fence);
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
			reply_status(&pr->b, &ev->in, -EINVAL);
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
		double bound = (double)ms(pr->p, "slot_timeout") / 1000.0;
		double left = o ? o->queued_at + bound - now_monotonic() : bound;
		int r = binder_next(&pr->b, left > 0 ? (int)(left * 1000.0) + 1 : 0, &ev);
		if (r == 0) {
			producer_event(pr, &ev);
			continue;
		}
		if (r != -ETIME) {
			wl_anomaly(pr->p, "protocol", "producer: reading binder returns: %s", strerror(-r));
			wl_exit(pr->p, 3);
		}
		if (o && now_monotonic() >= o->queued_at + bound) {
			wl_promise(pr->p, "slot_comes_back", false, "frame %u: slot %ld queued %.1f s ago has not come back",
				   o->seq, (long)(o - pr->slot), now_monotonic() - o->queued_at);
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
	txn_init(&t);
	struct bq_frame f = { .slot = (uint32_t)i, .seq = seq, .ino = s->ino };
	txn_put(&t, &f, sizeof(f));
	txn_put_fd_array(&t, &s->dmabuf, 1);
	txn_put_fd(&t, acquire);
	struct binder_event rep;
	r = call(&pr->b, pr->consumer, BQ_QUEUE, &t, &rep);
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
	r = vgem_fence_signal(pr->fd, fence);
	if (r)
		wl_anomaly(pr->p, "unexpected-errno", "frame %u: VGEM_FENCE_SIGNAL: %s", seq, strerror(-r));
}

/* A life of the app: connect, then `lifetime` frames (0 = until the end). */
static int producer_life(struct wl_proc *p, uint64_t lifetime, uint32_t *seq)
{
	struct producer pr = { .p = p, .nslots = (int)wl_get(p->cfg, "slots") };
	pr.fd = wl_open_client(p, NULL);
	open_binder(p, &pr.b);
	int64_t hang_every = wl_get(p->cfg, "unsignalled_every");
	unsigned errors = 0;
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, wl_get(p->cfg, "rate"), 1);
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
		check_dropped(p, &pr.b);
		wl_cycle_done(p);
		n++;
	}
	return 0; /* exiting is the app's death: binder releases its node and refs */
}

/* ---- the consumer (the compositor) ---- */

struct consumer {
	struct wl_proc *p;
	struct binder b;
	int fd;
	bool connected;
	uint32_t producer;
	uint64_t cookie;     /* of the death notice of the producer */
	uint64_t frames;
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
	txn_init(&t);
	txn_put(&t, f, sizeof(*f));
	if (release_fence >= 0)
		txn_put_fd(&t, release_fence);
	struct binder_event unused;
	binder_transact(&c->b, c->producer, BQ_RELEASED, &t, true, &unused);
}

/* Latch and compose a queued frame, then release its slot. */
static void compose(struct consumer *c, const struct bq_frame *f, int buf, int acquire)
{
	struct wl_proc *p = c->p;
	int r = sync_file_wait(acquire, ms(p, "fence_timeout"));
	close(acquire);
	if (!wl_promise(p, "fence_signals", r == 0, "frame %u: the acquire fence of slot %u did not signal within %d ms (%s)",
			f->seq, f->slot, ms(p, "fence_timeout"), strerror(-r))) {
		if (r == 0)
			r = -ETIME; /* the test hook: treat it as the real thing */
	}
	if (r) {
		release_slot(c, f, -1); /* dropped, as SurfaceFlinger drops a frame it cannot latch */
		return;
	}
	uint32_t h, fence;
	if (wl_ioctl_result(p, GS_IOC_PRIME_IMPORT, RACE_NONE, prime_import(c->fd, buf, &h), "consumer-import", f->seq)) {
		release_slot(c, f, -1);
		return;
	}
	r = vgem_fence_attach(c->fd, h, false, &fence);
	int release = -1;
	if (r == 0 && (r = dmabuf_export_sync_file(buf, true, &release)) != 0)
		vgem_fence_signal(c->fd, fence);
	if (r)
		wl_anomaly(p, "unexpected-errno", "frame %u: composing slot %u: %s", f->seq, f->slot, strerror(-r));
	release_slot(c, f, release);
	if (release >= 0) {
		close(release);
		/* Composition done: the release fence the producer waits for signals. */
		r = vgem_fence_signal(c->fd, fence);
		if (r)
			wl_anomaly(p, "unexpected-errno", "frame %u: VGEM_FENCE_SIGNAL: %s", f->seq, strerror(-r));
	}
	wl_ioctl_result(p, GS_IOC_CLOSE, RACE_NONE, gem_close(c->fd, h), "consumer-close", h);
}

/* queueBuffer: check and keep what came, answer, then compose. */
static void consumer_queue(struct consumer *c, const struct binder_in *in)
{
	struct wl_proc *p = c->p;
	const struct bq_frame *pf = in_data(in, 0, sizeof(*pf));
	int fds[1], n = in_fd_array(in, fds, 1), acquire = in_fd(in, 0);
	if (!pf || n != 1 || acquire < 0) {
		wl_anomaly(p, "protocol", "a queued frame without its buffer or fence (%d buffer fds, fence %d)", n, acquire);
		if (acquire >= 0)
			close(acquire);
		reply_status(&c->b, in, -EINVAL);
		return;
	}
	struct bq_frame f = *pf;
	uint64_t got = inode_of(fds[0]);
	wl_promise(p, "same_dmabuf", same_dmabuf_on_reexport(f.ino, got),
		   "frame %u: slot %u sent as dma-buf inode %llu, received as inode %llu", f.seq, f.slot,
		   (unsigned long long)f.ino, (unsigned long long)got);
	/* The fd array's fds close with the transaction's buffer. */
	int buf = fcntl(fds[0], F_DUPFD_CLOEXEC, 0);
	reply_status(&c->b, in, buf < 0 ? -errno : 0);
	if (buf < 0) {
		close(acquire);
		return;
	}
	compose(c, &f, buf, acquire);
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
		if (in_handle(&ev->in, &h)) {
			reply_status(&c->b, &ev->in, -EINVAL);
			break;
		}
		binder_acquire(&c->b, h);
		producer_gone(c); /* a new app: the previous one's listener goes */
		binder_watch_death(&c->b, h, ++c->cookie);
		c->producer = h;
		c->connected = true;
		reply_status(&c->b, &ev->in, 0);
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
			int fence = in_fd(&ev->in, 0);
			if (fence >= 0)
				close(fence);
			reply_status(&c->b, &ev->in, -EINVAL);
		}
	}
}

/* A life of the compositor: register, then `lifetime` frames. */
static int consumer_life(struct wl_proc *p, uint64_t lifetime)
{
	struct consumer c = { .p = p };
	c.fd = wl_open_client(p, NULL);
	open_binder(p, &c.b);
	struct binder_txn t;
	txn_init(&t);
	txn_put_binder(&t, NODE_CONSUMER, NODE_CONSUMER);
	struct binder_event rep;
	int r = call_manager(p, &c.b, SM_ADD, &t, &rep);
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
		if (r == -ETIME)
			continue;
		if (r) {
			wl_anomaly(p, "protocol", "consumer: reading binder returns: %s", strerror(-r));
			return 3;
		}
		consumer_event(&c, &ev);
		binder_flush(&c.b);
		check_dropped(p, &c.b);
	}
	return 0;
}

/* ---- lives on a seeded schedule ---- */

static uint64_t draw_lifetime(struct prng *rnd, int64_t mean)
{
	return mean > 0 ? (uint64_t)mean / 2 + 1 + prng_below(rnd, (uint32_t)mean) : 0;
}

/* Processes 1 and 2 start one child per life; it dies with its worker. */
static void lives(struct wl_proc *p, const char *key) __attribute__((noreturn));
static void lives(struct wl_proc *p, const char *key)
{
	struct prng rnd;
	prng_init(&rnd, p);
	wl_anomaly_share();
	uint32_t seq = 0;
	unsigned errors = 0;
	for (uint32_t life = 0; !wl_should_stop(p); life++) {
		uint64_t lifetime = draw_lifetime(&rnd, wl_get(p->cfg, key));
		pid_t pid = fork();
		if (pid < 0) {
			wl_report(p, "setup", "fork: %s", strerror(errno));
			wl_exit(p, 3);
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(p->index == ROLE_PRODUCER ? producer_life(p, lifetime, &seq) : consumer_life(p, lifetime));
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		/* The next life's frames go on numbering from the seed's schedule. */
		seq += (uint32_t)lifetime;
		if (WIFEXITED(status) && WEXITSTATUS(status) == WL_EXIT_DEVICE)
			wl_exit(p, WL_EXIT_DEVICE);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			errors = 0;
			continue;
		}
		wl_anomaly(p, "signal", "life %u of the %s ended with %s %d", life,
			   p->index == ROLE_PRODUCER ? "producer" : "consumer",
			   WIFSIGNALED(status) ? "signal" : "status",
			   WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		wl_backoff(&errors);
		usleep(10000);
	}
	wl_exit(p, 0);
}

static void buffer_queue_run(struct wl_proc *p) __attribute__((noreturn));
static void buffer_queue_run(struct wl_proc *p)
{
	if (p->index == ROLE_ALLOCATOR)
		allocator_run(p);
	lives(p, p->index == ROLE_PRODUCER ? "producer_lifetime" : "consumer_lifetime");
}

const struct wl_type wl_buffer_queue = {
	.name = "buffer-queue",
	.summary = "Android's BufferQueue over binder: gralloc allocates, the app queues buffers with acquire "
		   "fences, the compositor releases them with release fences",
	.keys = buffer_queue_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_PRIME_EXPORT | GS_CAP_PRIME_IMPORT | GS_CAP_FENCE | GS_CAP_BINDER,
	.nprocs = buffer_queue_nprocs,
	.setup = buffer_queue_setup,
	.fds = buffer_queue_fds,
	.teardown = buffer_queue_teardown,
	.run = buffer_queue_run,
};
