/* buffer-queue's fences: each signaller records when its signal call
 * returned for each frame, in the memory the producer and the consumer
 * share; a waiter that does not see a fence signal within fence_timeout
 * watches it until that record, the fence and the frames the signaller
 * went on to decide its fate (fence_fate(), workloads/promises.c). */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "device/fence.h"
#include "workloads/buffer-queue.h"
#include "workloads/promises.h"

/* The signaller starts frame seq: before the waiter can have its fence.
 * The record is marked as being rewritten first, so that a reader never
 * takes the new frame's empty record for the old frame's. */
void bq_log_start(struct signal_log *log, uint32_t seq)
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
void bq_signal_fence(struct wl_proc *p, int fd, uint32_t fence, struct signal_log *log, uint32_t seq,
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

/* A late fence: watched (the fd is the watch's) until its fate is known. */
static void watch_add(struct wl_proc *p, struct fence_watch *fw, int fd, uint32_t seq, uint32_t slot, double came)
{
	if (fw->n == WATCH_MAX) {
		/* Only a signaller starved for many frames gets here. */
		wl_gauge_add(p, BQ_GAUGE_LATE_FENCES, 1);
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
void bq_watch_check(struct wl_proc *p, struct fence_watch *fw)
{
	double bound = (double)bq_ms(p, "fence_timeout") / 1000.0;
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
			wl_gauge_add(p, BQ_GAUGE_LATE_FENCES, 1);
			if (waited > atomic_load(&bq_mem->fence_max_ms))
				atomic_store(&bq_mem->fence_max_ms, waited);
			if (f.known && f.signaller > 0)
				wl_late(p, "frame %u: the %s fence of slot %u signalled %d ms after it came (expected within %d ms): "
					"its %s's signal call returned %d ms after it came", w->seq, fw->what, w->slot, waited,
					bq_ms(p, "fence_timeout"), fw->signaller, (int)((f.signaller - w->came) * 1000));
			else
				wl_late(p, "frame %u: the %s fence of slot %u signalled %d ms after it came (expected within %d ms): "
					"its %s's record is gone", w->seq, fw->what, w->slot, waited, bq_ms(p, "fence_timeout"),
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
		wl_gauge_set(p, BQ_GAUGE_FENCE_MAX_MS, atomic_load(&bq_mem->fence_max_ms));
}

/* Wait for a fence within fence_timeout: true when it signalled; a late
 * one goes to the watch (which takes fd), a failed wait is reported. */
bool bq_fence_wait(struct wl_proc *p, struct fence_watch *fw, int fd, uint32_t seq, uint32_t slot, double came)
{
	int r = sync_file_wait(fd, bq_ms(p, "fence_timeout"));
	if (r == -ETIME) {
		watch_add(p, fw, fd, seq, slot, came);
		return false;
	}
	bool ok = wl_promise(p, "fence_signals", r == 0, "frame %u: waiting for the %s fence of slot %u: %s", seq,
			     fw->what, slot, strerror(-r));
	close(fd);
	return ok;
}
