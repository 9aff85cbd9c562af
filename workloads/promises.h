/* The kernel's promises on buffer sharing, each a small pure function so
 * that unit tests can feed it a violated state, and wl_promise() which
 * reports a broken one as an anomaly event.
 *
 * The promises come from the uAPI and from the fixes in the seed patches:
 * PRIME keeps one handle per object and file and one dma-buf per object,
 * flink keeps one name per object while a handle lives, and the racing
 * ioctls fail only in the documented ways. */
#ifndef GS_PROMISES_H
#define GS_PROMISES_H

#include <stdbool.h>
#include <stdint.h>

#include "workloads/workload.h"

/* Importing one dma-buf twice on one file gives the same handle; importing
 * a dma-buf on the file that exported it gives the exporter's handle. */
bool same_handle_on_reimport(uint32_t first, uint32_t again);
/* Exporting one handle twice gives dma-bufs of the same object: the same
 * dma-buf file (its inode), as the handle keeps its export cached. */
bool same_dmabuf_on_reexport(uint64_t first_ino, uint64_t again_ino);
/* Flinking an object again while a handle of it is open gives the same
 * name (seed 002: no second name for an object being reaped). */
bool same_name_on_reflink(uint32_t first, uint32_t again);
/* An import of a dma-buf whose handles were all closed still works: the
 * dma-buf holds the object (seed 001's self-import case). */
bool reimport_after_close_works(int neg_errno);
/* A dma-buf, an imported object or an object opened by name has the size
 * it was created with (dma-bufs round sizes to pages). */
bool size_matches(uint64_t created, uint64_t seen);
/* After every handle of an object on a file is closed, the handle is gone
 * (a leaked handle keeps the object and its dma-buf or name). */
bool handle_gone(int neg_errno_of_export);

/* A new display server gets master once the previous one has exited: a
 * master that outlives its last file (or a stale one) keeps SET_MASTER
 * busy. `neg_errno` is SET_MASTER's result after waiting for the previous
 * server to go. */
bool master_after_restart(int neg_errno);

/* A fence its waiter did not see signal within the workload's bound:
 * what is known of it so far (seconds, CLOCK_MONOTONIC). Timing is no
 * kernel promise: a fence is late when its signaller (a process on a busy
 * machine) signalled it late. A promise breaks only when the kernel had
 * not signalled it when its signaller's signal call returned, when the
 * signaller went on to later frames without ever signalling it, or when
 * it never signalled at all, not even by the driver's own expiry. */
struct fence_seen {
	double came;         /* when the waiter got the fence */
	double now;          /* when this was looked at */
	double signalled;    /* the kernel's time of its signal; 0 = not signalled */
	double signaller;    /* when its signaller's signal call returned; 0 = not (yet) */
	bool went_on;        /* its signaller has since started a later frame */
	bool known;          /* the signaller's record of this frame is still there */
};
enum fence_fate {
	FENCE_PENDING,       /* not decided yet: look again later */
	FENCE_LATE,          /* signalled late, as late as its signaller was */
	FENCE_SIGNAL_LOST,   /* broken: not signalled within `bound_s` of its signaller's signal */
	FENCE_UNSIGNALLED,   /* broken: its signaller went on without signalling it */
	FENCE_NEVER,         /* broken: not signalled `expiry_s` after it came */
};
/* The fate of such a fence: bound_s is the workload's bound (the kernel's
 * part of a signal must fit in it), expiry_s the driver's own expiry plus
 * that bound. */
enum fence_fate fence_fate(const struct fence_seen *f, double bound_s, double expiry_s);

/* Which errors an ioctl may return in the workloads' races: losing a race
 * to GEM_CLOSE is ENOENT (the handle or name is gone) or EINVAL (closing
 * a handle another thread closed). Anything else is an anomaly. */
enum race_kind { RACE_NONE, RACE_CLOSE };
bool errno_allowed(enum gs_ioctl ioc, enum race_kind race, int neg_errno);

/* In a worker: report an anomaly event (kind "promise", "unexpected-errno",
 * ...). A kernel that breaks a promise every cycle must not flood the
 * database: each process records a burst of ANOMALY_BURST, then at most
 * ANOMALY_RATE per second; the next one recorded says how many were not. */
#define ANOMALY_BURST 100
#define ANOMALY_RATE 10
void wl_anomaly(struct wl_proc *p, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A worker that forks short-lived children calls this first, so that they
 * share its cap (and its test hook's one firing). */
void wl_anomaly_share(void);

/* In a worker: when `held` is false (or the test hook names `promise`,
 * once per process) report a "promise" anomaly with the details the
 * format gives (step, handle, name, errno) and return false. */
bool wl_promise(struct wl_proc *p, const char *promise, bool held, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* In a worker: record a timing expectation that was not met (kind
 * "late", not an anomaly: no gate fails on it), capped as anomalies are,
 * in a bucket of its own so that they never crowd out an anomaly. */
void wl_late(struct wl_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* In a worker: count an ioctl's error and report an "unexpected-errno"
 * anomaly when errno_allowed() says no. Returns neg_errno. */
int wl_ioctl_result(struct wl_proc *p, enum gs_ioctl ioc, enum race_kind race, int neg_errno,
		    const char *step, uint32_t id);

#endif
