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
 * inode); a fence is signalled once its signaller's signal call returned,
 * and it is signalled at all (by its signaller, or by vgem's expiry).
 * Timing is only expected, never promised: a fence that does not signal
 * within fence_timeout, or a slot that does not come back within
 * slot_timeout, is recorded as late (workload.NAME.late.*, "late"
 * events). To tell a late fence from one never signalled, each signaller
 * records in memory the two share (a memfd) when its signal call returned
 * for each frame; the waiter watches a late fence until that record, the
 * fence and the frames the signaller went on to decide it (fence_fate()).
 *
 * Positive controls (never for real runs): keep_fd_every = N makes the
 * consumer keep one received buffer fd every N frames; unsignalled_every
 * = N makes the producer never signal one render fence every N cycles
 * and keep that fence's sync_file, as a driver keeps the fence of a job
 * that never completes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	{ "fence_timeout", WK_DURATION, 1, 60000, 1000, "the time within which a fence is expected to signal; later is late, not broken" },
	{ "slot_timeout", WK_DURATION, 1, 600000, 5000, "the time within which a queued slot is expected to come back; later is late" },
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

static int ms(const struct wl_proc *p, const char *key)
{
	return (int)wl_get(p->cfg, key);
}

/* Frames a signal log remembers. A waiter looks at its late fences at
 * least every 200 ms and needs a frame's record until then, or until a
 * starved signaller runs again (making no frames meanwhile): 4096 frames
 * are 2 s at 2000 frames/s. A record overwritten sooner leaves the fence
 * late, never broken. */
#define LOG_FRAMES 4096
#define NO_FRAME UINT32_MAX  /* a record being rewritten */

/* What one signaller (the producer for acquire fences, the consumer for
 * release fences) tells the waiters: for each frame, when its signal call
 * returned (CLOCK_MONOTONIC ns, 0 = not yet), and the frames it started. */
struct signal_log {
	_Atomic uint32_t started;  /* 1 + the latest frame started; 0 = none */
	struct {
		_Atomic uint32_t seq;
		_Atomic int64_t done_ns;
	} rec[LOG_FRAMES];
};

/* The memory the producer and the consumer share (a memfd, their one
 * channel besides binder). */
struct bq_shared {
	struct signal_log acquire, release;
	_Atomic int64_t fence_max_ms;  /* the longest wait of a late fence so far */
};

/* In the daemon: the memfd, as the channel (an int the daemon owns). */
static void *buffer_queue_setup(const struct wl_config *cfg)
{
	int *memfd = malloc(sizeof(*memfd));
	if (!memfd)
		return NULL;
	*memfd = memfd_create("gs-buffer-queue", MFD_CLOEXEC);
	if (*memfd >= 0 && ftruncate(*memfd, sizeof(struct bq_shared)) == 0)
		return memfd;
	int e = errno;
	if (*memfd >= 0)
		close(*memfd);
	free(memfd);
	errno = e;
	return NULL;
}

/* The producer and the consumer keep the shared memory's fd. */
static int buffer_queue_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	if (index == ROLE_ALLOCATOR || max < 1)
		return 0;
	fds[0] = *(int *)chan;
	return 1;
}

static void buffer_queue_teardown(void *chan)
{
	close(*(int *)chan);
	free(chan);
}

/* The shared memory, mapped in the producer's and the consumer's worker
 * before their lives fork. */
static struct bq_shared *shared;

static void map_shared(struct wl_proc *p)
{
	shared = p->nfds == 1 ? mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED, p->fds[0], 0)
			      : MAP_FAILED;
	if (shared == MAP_FAILED) {
		wl_report(p, "setup", "mapping the memory shared with the other side: %s", strerror(errno));
		wl_exit(p, 3);
	}
}

/* The gauges (workload.NAME.GAUGE): late fences and slots, and the
 * longest wait of a late fence. */
enum { G_LATE_FENCES, G_FENCE_MAX_MS, G_LATE_SLOTS };
static const struct wl_gauge buffer_queue_gauges[] = {
	{ "late.fence_signals", true, "fences signalled later than fence_timeout (timing, no broken promise)" },
	{ "late.fence_max_ms", false, "the longest wait of a late fence" },
	{ "late.slot_returns", true, "slots the compositor returned later than fence_timeout" },
	{ NULL, false, NULL },
};

/* The signaller starts frame seq: before the waiter can have its fence.
 * The record is marked as being rewritten first, so that a reader never
 * takes the new frame's empty record for the old frame's. */
static void log_start(struct signal_log *log, uint32_t seq)
{
	uint32_t i = seq % LOG_FRAMES;
	atomic_store(&log->rec[i].seq, NO_FRAME);
	atomic_store(&log->rec[i].done_ns, 0);
	atomic_store(&log->rec[i].seq, seq);
	if (atomic_load(&log->started) < seq + 1)
		atomic_store(&log->started, seq + 1);
}

/* Signal vgem fence `fence` of frame seq and record when the call
 * returned. vgem's expiry before it (-ETIMEDOUT) is this signaller's
 * lateness, not the kernel's. */
static void signal_fence(struct wl_proc *p, int fd, uint32_t fence, struct signal_log *log, uint32_t seq,
			 const char *what)
{
	int r = vgem_fence_signal(fd, fence);
	uint32_t i = seq % LOG_FRAMES;
	if (atomic_load(&log->rec[i].seq) == seq)
		atomic_store(&log->rec[i].done_ns, (int64_t)(now_monotonic() * 1e9));
	if (r == -ETIMEDOUT) {
		/* Counted by its waiter, which also sees it late. */
		wl_late(p, "frame %u: the %s fence signalled after vgem's own expiry (%d ms): its signaller was late",
			seq, what, VGEM_FENCE_EXPIRY_MS);
	} else if (r) {
		wl_anomaly(p, "unexpected-errno", "frame %u: VGEM_FENCE_SIGNAL: %s", seq, strerror(-r));
	}
}

/* The fences a waiter did not see signal within fence_timeout. */
#define WATCH_MAX 32
struct fence_watch {
	const char *what, *signaller;   /* "acquire", "producer" */
	const struct signal_log *log;
	int n;
	struct watched {
		int fd;
		uint32_t seq, slot;
		double came;
	} w[WATCH_MAX];
};

/* A late fence: watched (the fd is the watch's) until its fate is known. */
static void watch_add(struct wl_proc *p, struct fence_watch *fw, int fd, uint32_t seq, uint32_t slot, double came)
{
	if (fw->n == WATCH_MAX) {
		/* Only a signaller starved for many frames gets here. */
		wl_gauge_add(p, G_LATE_FENCES, 1);
		wl_late(p, "frame %u: the %s fence of slot %u is late, with %d late fences watched already", seq,
			fw->what, slot, WATCH_MAX);
		close(fd);
		return;
	}
	fw->w[fw->n++] = (struct watched){ .fd = fd, .seq = seq, .slot = slot, .came = came };
}

/* What is known of watched fence w: the signaller's record, read before
 * the fence so that a record of a returned signal call means the fence
 * must be signalled already. */
static struct fence_seen fence_seen_now(const struct fence_watch *fw, const struct watched *w)
{
	struct fence_seen f = { .came = w->came };
	uint32_t i = w->seq % LOG_FRAMES;
	f.went_on = atomic_load(&fw->log->started) > w->seq + 1;
	uint32_t before = atomic_load(&fw->log->rec[i].seq);
	int64_t done = atomic_load(&fw->log->rec[i].done_ns);
	f.known = before == w->seq && atomic_load(&fw->log->rec[i].seq) == w->seq;
	f.signaller = f.known ? (double)done / 1e9 : 0;
	int64_t at = 0;
	int r = sync_file_signalled_at(w->fd, &at);
	f.now = now_monotonic();
	/* An error status is a signal too (newer vgem expires with one). */
	f.signalled = r > 0 ? (double)at / 1e9 : r < 0 ? f.now : 0;
	return f;
}

/* Decide what can be decided of the watched fences: late ones are
 * counted and recorded as late, broken promises reported. */
static void watch_check(struct wl_proc *p, struct fence_watch *fw)
{
	double bound = (double)ms(p, "fence_timeout") / 1000.0;
	for (int k = 0; k < fw->n;) {
		struct watched *w = &fw->w[k];
		struct fence_seen f = fence_seen_now(fw, w);
		enum fence_fate fate = fence_fate(&f, bound, VGEM_FENCE_EXPIRY_MS / 1000.0 + bound);
		int waited = (int)(((f.signalled > 0 ? f.signalled : f.now) - w->came) * 1000);
		switch (fate) {
		case FENCE_PENDING:
			k++;
			continue;
		case FENCE_LATE:
			wl_gauge_add(p, G_LATE_FENCES, 1);
			if (waited > atomic_load(&shared->fence_max_ms))
				atomic_store(&shared->fence_max_ms, waited);
			if (f.known && f.signaller > 0)
				wl_late(p, "frame %u: the %s fence of slot %u signalled %d ms after it came (expected within %d ms): "
					"its %s's signal call returned %d ms after it came", w->seq, fw->what, w->slot, waited,
					ms(p, "fence_timeout"), fw->signaller, (int)((f.signaller - w->came) * 1000));
			else
				wl_late(p, "frame %u: the %s fence of slot %u signalled %d ms after it came (expected within %d ms): "
					"its %s's record is gone", w->seq, fw->what, w->slot, waited, ms(p, "fence_timeout"),
					fw->signaller);
			break;
		case FENCE_SIGNAL_LOST:
			wl_promise(p, "fence_signals", false, "frame %u: the %s fence of slot %u was not signalled when its "
				   "%s's signal call returned (%s %d ms after that)", w->seq, fw->what, w->slot, fw->signaller,
				   f.signalled > 0 ? "signalled" : "still not",
				   (int)(((f.signalled > 0 ? f.signalled : f.now) - f.signaller) * 1000));
			break;
		case FENCE_UNSIGNALLED:
			wl_promise(p, "fence_signals", false, "frame %u: the %s fence of slot %u was never signalled: its %s "
				   "went on to later frames without signalling it (%s after %d ms)", w->seq, fw->what,
				   w->slot, fw->signaller, f.signalled > 0 ? "expired" : "unsignalled", waited);
			break;
		case FENCE_NEVER:
			wl_promise(p, "fence_signals", false, "frame %u: the %s fence of slot %u has not signalled %d ms "
				   "after it came, past vgem's expiry of every fence (%d ms)", w->seq, fw->what, w->slot,
				   waited, VGEM_FENCE_EXPIRY_MS);
			break;
		}
		close(w->fd);
		*w = fw->w[--fw->n];
	}
	if (p->index == ROLE_CONSUMER)
		wl_gauge_set(p, G_FENCE_MAX_MS, atomic_load(&shared->fence_max_ms));
}

/* Wait for a fence within fence_timeout: true when it signalled; a late
 * one goes to the watch (which takes fd), a failed wait is reported. */
static bool fence_wait(struct wl_proc *p, struct fence_watch *fw, int fd, uint32_t seq, uint32_t slot, double came)
{
	int r = sync_file_wait(fd, ms(p, "fence_timeout"));
	if (r == -ETIME) {
		watch_add(p, fw, fd, seq, slot, came);
		return false;
	}
	bool ok = wl_promise(p, "fence_signals", r == 0, "frame %u: waiting for the %s fence of slot %u: %s", seq,
			     fw->what, slot, strerror(-r));
	close(fd);
	return ok;
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
			/* The fd goes with the transaction: the wait keeps a copy. */
			int copy = fcntl(fence, F_DUPFD_CLOEXEC, 0);
			if (copy >= 0)
				fence_wait(pr->p, &pr->watch, copy, f->seq, f->slot, now_monotonic());
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
		watch_check(pr->p, &pr->watch);
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
			wl_gauge_add(pr->p, G_LATE_SLOTS, 1);
			wl_late(pr->p, "frame %u: slot %ld queued %.1f s ago has not come back (expected within %d ms)",
				o->seq, (long)(o - pr->slot), now_monotonic() - o->queued_at, ms(pr->p, "slot_timeout"));
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
	log_start(&shared->acquire, seq);
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
	signal_fence(pr->p, pr->fd, fence, &shared->acquire, seq, "acquire");
}

/* A life of the app: connect, then `lifetime` frames (0 = until the end). */
static int producer_life(struct wl_proc *p, uint64_t lifetime, uint32_t *seq)
{
	struct producer pr = { .p = p, .nslots = (int)wl_get(p->cfg, "slots"),
			       .watch = { .what = "release", .signaller = "consumer", .log = &shared->release } };
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
	txn_init(&t);
	txn_put(&t, f, sizeof(*f));
	if (release_fence >= 0)
		txn_put_fd(&t, release_fence);
	struct binder_event unused;
	binder_transact(&c->b, c->producer, BQ_RELEASED, &t, true, &unused);
}

/* Latch and compose a frame queued at `came`, then release its slot. */
static void compose(struct consumer *c, const struct bq_frame *f, int buf, int acquire, double came)
{
	struct wl_proc *p = c->p;
	if (!fence_wait(p, &c->watch, acquire, f->seq, f->slot, came)) {
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
	log_start(&shared->release, f->seq);
	if (r == 0 && (r = dmabuf_export_sync_file(buf, true, &release)) != 0)
		vgem_fence_signal(c->fd, fence);
	if (r)
		wl_anomaly(p, "unexpected-errno", "frame %u: composing slot %u: %s", f->seq, f->slot, strerror(-r));
	release_slot(c, f, release);
	if (release >= 0) {
		close(release);
		/* Composition done: the release fence the producer waits for signals. */
		signal_fence(p, c->fd, fence, &shared->release, f->seq, "release");
	}
	wl_ioctl_result(p, GS_IOC_CLOSE, RACE_NONE, gem_close(c->fd, h), "consumer-close", h);
}

/* queueBuffer: check and keep what came, answer, then compose. */
static void consumer_queue(struct consumer *c, const struct binder_in *in)
{
	struct wl_proc *p = c->p;
	double came = now_monotonic();
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
	struct consumer c = { .p = p, .watch = { .what = "acquire", .signaller = "producer", .log = &shared->acquire } };
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
		watch_check(p, &c.watch);
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
	map_shared(p);
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
	.gauges = buffer_queue_gauges,
};
