/* buffer-queue's binder calls and replies: the payload of every reply
 * starts with a bq_status (workloads/buffer-queue.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/buffer-queue.h"
#include "workloads/promises.h"

uint64_t bq_inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Open the binder device or end this process with the reason, as an
 * unusable device (the supervisor says so once and restarts with backoff). */
void bq_open_binder(struct wl_proc *p, struct binder *b)
{
	int r = binder_open(b, BINDER_DEFAULT_DEVICE);
	if (r) {
		wl_report(p, "device", "cannot open %s: %s", BINDER_DEFAULT_DEVICE, strerror(-r));
		wl_exit(p, WL_EXIT_DEVICE);
	}
}

/* Commands the binder client could not queue would break its protocol
 * silently: say so. */
void bq_check_dropped(struct wl_proc *p, struct binder *b)
{
	if (b->dropped) {
		wl_anomaly(p, "protocol", "%u binder commands lost to a full command buffer", b->dropped);
		b->dropped = 0;
	}
}

void bq_reply_status(struct binder *b, const struct binder_in *in, int32_t status)
{
	struct binder_txn t;
	binder_txn_init(&t);
	struct bq_status st = { .status = status };
	binder_txn_put(&t, &st, sizeof(st));
	binder_reply(b, in, &t);
}

/* A two-way call whose reply starts with a bq_status: 0 with the reply
 * to free, the callee's negative status, -EPIPE when the callee's process
 * is gone, -EPROTO when the driver refused the call. */
int bq_call(struct binder *b, uint32_t handle, uint32_t code, const struct binder_txn *t,
		struct binder_event *rep)
{
	int r = binder_transact(b, handle, code, t, false, rep);
	if (r)
		return r;
	if (rep->kind == BEV_DEAD_REPLY)
		return -EPIPE;
	if (rep->kind != BEV_REPLY)
		return -EPROTO;
	const struct bq_status *st = binder_in_data(&rep->in, 0, sizeof(*st));
	r = !st ? -EPROTO : st->status > 0 ? -EPROTO : st->status;
	if (r)
		binder_free(b, &rep->in);
	return r;
}

/* A call to the service manager, which may not be up yet (the workload
 * is starting) or not know the compositor yet (it is restarting): asked
 * again, as servicemanager's clients poll (waitForService). */
int bq_call_manager(struct wl_proc *p, struct binder *b, uint32_t code, const struct binder_txn *t,
			struct binder_event *rep)
{
	for (unsigned waits = 1;; waits++) {
		int r = bq_call(b, 0, code, t, rep);
		if ((r != -EPIPE && r != -ENOENT) || wl_should_stop(p))
			return r;
		if (waits % 500 == 0)
			wl_anomaly(p, "protocol", "%s: no answer for %u s (%s)",
				   code == SM_ADD ? "registering the compositor" : "looking the compositor up",
				   waits / 50, r == -EPIPE ? "no context manager" : "not registered");
		usleep(20000);
	}
}
