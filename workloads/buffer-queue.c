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
 * The roles are one file each (workloads/bq-*.c), their protocol is
 * workloads/buffer-queue.h; this file is the type and the lives.
 *
 * Positive controls (never for real runs): keep_fd_every = N makes the
 * consumer keep one received buffer fd every N frames; unsignalled_every
 * = N makes the producer never signal one render fence every N cycles
 * and keep that fence's sync_file, as a driver keeps the fence of a job
 * that never completes. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/buffer-queue.h"
#include "workloads/prng.h"
#include "workloads/promises.h"

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

static int buffer_queue_nprocs(const struct wl_config *cfg)
{
	return ROLES;
}

int bq_ms(const struct wl_proc *p, const char *key)
{
	return (int)wl_get(p->cfg, key);
}

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

struct bq_shared *bq_mem;

static void map_shared(struct wl_proc *p)
{
	bq_mem = p->nfds == 1 ? mmap(NULL, sizeof(*bq_mem), PROT_READ | PROT_WRITE, MAP_SHARED, p->fds[0], 0)
			      : MAP_FAILED;
	if (bq_mem == MAP_FAILED) {
		wl_report(p, "setup", "mapping the memory shared with the other side: %s", strerror(errno));
		wl_exit(p, 3);
	}
}

/* The gauges, as buffer-queue.h numbers them. */
static const struct wl_gauge buffer_queue_gauges[] = {
	{ "late.fence_signals", true, "fences signalled later than fence_timeout (timing, no broken promise)" },
	{ "late.fence_max_ms", false, "the longest wait of a late fence" },
	{ "late.slot_returns", true, "slots the compositor returned later than fence_timeout" },
	{ NULL, false, NULL },
};

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
			_exit(p->index == ROLE_PRODUCER ? bq_producer_life(p, lifetime, &seq) : bq_consumer_life(p, lifetime));
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
		bq_allocator_run(p);
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
