/* buffer-queue (workloads/buffer-queue.c): the protocol between its
 * three processes, one file each: the allocator and service manager
 * (bq-allocator.c), the producer, an app (bq-producer.c), and the
 * consumer, the compositor (bq-consumer.c). They talk over binder
 * (transaction codes and payloads below, helpers in bq-binder.c); the
 * producer and the consumer also share memory, where each signaller
 * records its fences for the other's watch (bq-fences.c). */
#ifndef GS_WORKLOADS_BUFFER_QUEUE_H
#define GS_WORKLOADS_BUFFER_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "binder/binder.h"
#include "workloads/workload.h"

#define MAX_SLOTS 8

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

/* Mapped in the producer's and the consumer's worker before their lives
 * fork (buffer-queue.c). */
extern struct bq_shared *bq_mem;

/* The type's gauges, in the order of its wl_type.gauges. */
enum { BQ_GAUGE_LATE_FENCES, BQ_GAUGE_FENCE_MAX_MS, BQ_GAUGE_LATE_SLOTS };

/* A key's duration in ms, as an int. */
int bq_ms(const struct wl_proc *p, const char *key);

/* ---- bq-binder.c: calls and replies ---- */

/* The inode of a file (a dma-buf's identity across processes); 0 when
 * fstat fails. */
uint64_t bq_inode_of(int fd);
/* Open the binder device or end this process with the reason, as an
 * unusable device (the supervisor says so once and restarts with backoff). */
void bq_open_binder(struct wl_proc *p, struct binder *b);
/* Report commands the binder client could not queue (an anomaly). */
void bq_check_dropped(struct wl_proc *p, struct binder *b);
/* Reply to `in` with a bq_status only. */
void bq_reply_status(struct binder *b, const struct binder_in *in, int32_t status);
/* A two-way call whose reply starts with a bq_status: 0 with the reply
 * to free, the callee's negative status, -EPIPE when the callee's process
 * is gone, -EPROTO when the driver refused the call. */
int bq_call(struct binder *b, uint32_t handle, uint32_t code, const struct binder_txn *t,
	    struct binder_event *rep);
/* bq_call to the service manager, asked again while it is not up or does
 * not know the compositor yet. */
int bq_call_manager(struct wl_proc *p, struct binder *b, uint32_t code, const struct binder_txn *t,
		    struct binder_event *rep);

/* ---- bq-fences.c: fences, their signal log and the late ones' watch ---- */

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

/* The signaller starts frame seq, before the waiter can have its fence. */
void bq_log_start(struct signal_log *log, uint32_t seq);
/* Signal vgem fence `fence` of frame seq ("acquire" or "release": what)
 * and record in log when the call returned. */
void bq_signal_fence(struct wl_proc *p, int fd, uint32_t fence, struct signal_log *log, uint32_t seq,
		     const char *what);
/* Decide what can be decided of the watched fences: late ones are
 * counted and recorded as late, broken promises reported. */
void bq_watch_check(struct wl_proc *p, struct fence_watch *fw);
/* Wait for a fence within fence_timeout: true when it signalled; a late
 * one goes to the watch (which takes fd), a failed wait is reported. */
bool bq_fence_wait(struct wl_proc *p, struct fence_watch *fw, int fd, uint32_t seq, uint32_t slot, double came);

/* ---- the roles ---- */

/* Process 0 (bq-allocator.c): gralloc and the service manager, until stopped. */
void bq_allocator_run(struct wl_proc *p) __attribute__((noreturn));
/* A life of the app (bq-producer.c): connect, then `lifetime` frames (0 =
 * until the end), numbered from *seq on; its exit status. */
int bq_producer_life(struct wl_proc *p, uint64_t lifetime, uint32_t *seq);
/* A life of the compositor (bq-consumer.c): `lifetime` frames (0 = until
 * the end); its exit status. */
int bq_consumer_life(struct wl_proc *p, uint64_t lifetime);

#endif
