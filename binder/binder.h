/* A small binder client from the uAPI (linux/android/binder.h), as there
 * is no libbinder on Debian: one single-threaded looper per process,
 * transactions carrying plain data, binder/handle objects, fd objects
 * and fd arrays (in a native_handle-shaped buffer, as HIDL sends one),
 * strong references and death notifications.
 *
 * Ownership, as the driver has it: an fd received in a BINDER_TYPE_FD
 * object is the receiver's to close; fds received in an fd array belong
 * to the transaction buffer and are closed by the driver at
 * BC_FREE_BUFFER, so a receiver that keeps one dups it first. igt-style:
 * the functions return 0 or -errno. */
#ifndef GS_BINDER_BINDER_H
#define GS_BINDER_BINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/android/binder.h>

#include "binder/parcel.h"

#define BINDER_DEFAULT_DEVICE "/dev/binder"
#define BINDER_MAP_SIZE (128 * 1024)

enum binder_ev {
	BEV_TRANSACTION,   /* in: an incoming call (oneway when TF_ONE_WAY) */
	BEV_REPLY,         /* in: the answer to ours */
	BEV_DEAD_REPLY,    /* the target's process is gone */
	BEV_FAILED_REPLY,  /* the driver refused the transaction */
	BEV_DEATH,         /* cookie: a node we asked about died */
};

struct binder_event {
	enum binder_ev kind;
	struct binder_in in;
	uint64_t cookie;
};

#define BINDER_WBUF 1024
#define BINDER_RBUF 4096
#define BINDER_DEFERRED 32

struct binder {
	int fd;
	void *map;
	uint8_t wbuf[BINDER_WBUF];   /* commands not yet written */
	size_t wlen;
	unsigned dropped;            /* commands lost to a full wbuf (a caller's bug) */
	uint8_t rbuf[BINDER_RBUF];   /* returns not yet taken */
	size_t rlen, rpos;
	/* events that arrived while a transaction waited for its reply */
	struct binder_event deferred[BINDER_DEFERRED];
	size_t ndeferred;
};

/* Open the device, check the protocol version, map the receive area and
 * enter the looper (no thread pool: BINDER_SET_MAX_THREADS 0). */
int binder_open(struct binder *b, const char *path);
void binder_close(struct binder *b);
/* Become the context manager (handle 0 of every other process). */
int binder_become_manager(struct binder *b);
/* Can this process open `path` and speak the current protocol? */
bool binder_probe(const char *path);

/* A transaction to `handle`; a two-way one waits for the reply event
 * (BEV_REPLY, whose buffer the caller frees, or BEV_DEAD_REPLY /
 * BEV_FAILED_REPLY). Events for the looper that arrive meanwhile wait for
 * binder_next. */
int binder_transact(struct binder *b, uint32_t handle, uint32_t code, const struct binder_txn *t,
		    bool oneway, struct binder_event *reply);
/* Answer the transaction `in` and free its buffer. */
int binder_reply(struct binder *b, const struct binder_in *in, const struct binder_txn *t);
/* Free a received buffer (its fd-array fds are closed by the driver). */
void binder_free(struct binder *b, const struct binder_in *in);
/* The next event for the looper within timeout_ms (-1 = forever):
 * 0, -ETIME when none came, -EPROTO on a return it does not know. */
int binder_next(struct binder *b, int timeout_ms, struct binder_event *ev);

/* Strong and weak reference on a handle, and their release. */
void binder_acquire(struct binder *b, uint32_t handle);
void binder_release(struct binder *b, uint32_t handle);
/* Ask for a BEV_DEATH with `cookie` when handle's node dies; cancel; and
 * say a BEV_DEATH was handled. */
void binder_watch_death(struct binder *b, uint32_t handle, uint64_t cookie);
void binder_unwatch_death(struct binder *b, uint32_t handle, uint64_t cookie);
void binder_death_done(struct binder *b, uint64_t cookie);
/* Write the queued commands now. */
int binder_flush(struct binder *b);

#endif
