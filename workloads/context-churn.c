/* context-churn: seed 004's sharing pattern (igt gem_ppgtt flink-and-close
 * and flink-and-exit), i915 only.
 *
 * Process 0, the exporter, creates `objects` long-lived buffer objects,
 * flinks them and publishes the names; it keeps them until the workload
 * stops, as fbcon or a compositor keeps its buffers. Each importer process,
 * per cycle, GEM_OPENs one of the names, runs a batch with it (which binds
 * it into a PPGTT address space: a VMA) and then lets that address space
 * go in one of three ways, chosen by weight:
 *   destroy_context  on its long-lived file, in a context it created, then
 *                    destroys the context and closes the handle;
 *   close_file       on a new file's default context, then closes the file;
 *   exit             in a forked child on a new file, which then exits.
 * A kernel without the VMA cleanup (seed 004) keeps one VMA, and with it the
 * address space, per cycle on the exporter's objects.
 *
 * scanout = yes binds the object a CRTC scans out instead (the console's
 * framebuffer, reached with MODE_GETFB as X does at start-up): each
 * close_file or exit cycle is then one X server restart on fbcon, the case
 * seed 004 names. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device/i915.h"
#include "device/kms.h"
#include "workloads/workload.h"

#define MAX_OBJECTS 1024

static const struct wl_key context_churn_keys[] = {
	{ "importers", WK_INT, 1, 64, 2, "importer processes" },
	{ "objects", WK_INT, 1, MAX_OBJECTS, 4, "long-lived objects the exporter flinks" },
	{ "destroy_context", WK_INT, 0, 1000, 1, "weight of cycles that end by destroying the context" },
	{ "close_file", WK_INT, 0, 1000, 1, "weight of cycles that end by closing the file" },
	{ "exit", WK_INT, 0, 1000, 1, "weight of cycles that end with the importer process exiting" },
	{ "scanout", WK_BOOL, 0, 1, 0, "bind the scanned-out framebuffer (fbcon's) instead of flinked objects" },
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED,
	WL_KEY_END,
};

/* Shared between the exporter and the importers (MAP_SHARED before fork). */
struct names {
	_Atomic uint32_t generation; /* bumped when the exporter publishes */
	_Atomic uint32_t count;
	uint32_t name[MAX_OBJECTS];
};

static int context_churn_nprocs(const struct wl_config *cfg)
{
	return 1 + (int)wl_get(cfg, "importers");
}

static void *context_churn_setup(const struct wl_config *cfg)
{
	void *p = mmap(NULL, sizeof(struct names), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* The names live in memory the daemon mapped before forking; fds() runs
 * in the worker just before run(), so the worker picks the mapping up here
 * (it keeps no fds: the mapping survives the fd cleanup). */
static struct names *shared_names;

static int context_churn_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	shared_names = chan;
	return 0;
}

static void context_churn_teardown(void *chan)
{
	munmap(chan, sizeof(struct names));
}

static void export(struct wl_proc *p) __attribute__((noreturn));
static void export(struct wl_proc *p)
{
	int fd = wl_open_client(p, NULL);
	int n = wl_get(p->cfg, "scanout") ? 0 : (int)wl_get(p->cfg, "objects");
	uint64_t size = (uint64_t)wl_get(p->cfg, "size");
	int made = 0;
	for (int i = 0; i < n; i++) {
		uint32_t h, name;
		int r = gem_create(fd, p->dev->kind, size, &h);
		if (r) {
			wl_count_error(p, GS_IOC_CREATE, r);
			continue;
		}
		if ((r = gem_flink(fd, h, &name)) != 0) {
			wl_count_error(p, GS_IOC_FLINK, r);
			gem_close(fd, h);
			continue;
		}
		shared_names->name[made++] = name;
	}
	if (made == 0 && n > 0)
		wl_report(p, "export", "could not create and flink any object");
	if (n == 0)
		shared_names->name[made++] = 0; /* scanout: one entry so importers start; they bind the framebuffer, not a name */
	atomic_store(&shared_names->count, (uint32_t)made);
	atomic_fetch_add(&shared_names->generation, 1);
	while (!wl_should_stop(p))
		usleep(100000);
	wl_exit(p, 0);
}

enum ending { END_CONTEXT, END_CLOSE, END_EXIT };

/* Open the name (or the scanned-out framebuffer), run a batch with it on
 * ctx; the handle stays open (*handle is 0 when there is none). */
static int bind_shared(struct wl_proc *p, int fd, uint32_t ctx, uint32_t name, uint32_t *handle)
{
	uint64_t size;
	int r = wl_get(p->cfg, "scanout") ? kms_scanout_handle(fd, handle) : gem_open(fd, name, handle, &size);
	if (r) {
		*handle = 0;
		wl_count_error(p, GS_IOC_OPEN, r);
		return r;
	}
	uint32_t batch;
	if ((r = i915_batch_create(fd, &batch)) != 0) {
		wl_count_error(p, GS_IOC_CREATE, r);
		return r;
	}
	if ((r = i915_exec_nop(fd, ctx, batch, handle, 1)) != 0)
		wl_count_error(p, GS_IOC_EXECBUF, r);
	gem_close(fd, batch);
	return r;
}

static int cycle_context(struct wl_proc *p, int fd, uint32_t name)
{
	uint32_t ctx, h;
	int r = i915_context_create(fd, &ctx);
	if (r) {
		wl_count_error(p, GS_IOC_CONTEXT_CREATE, r);
		return r;
	}
	r = bind_shared(p, fd, ctx, name, &h);
	int d = i915_context_destroy(fd, ctx);
	if (d)
		wl_count_error(p, GS_IOC_CONTEXT_DESTROY, d);
	if (h)
		gem_close(fd, h);
	return r ? r : d;
}

static int cycle_close(struct wl_proc *p, uint32_t name)
{
	int fd = wl_open_client(p, NULL);
	uint32_t h;
	int r = bind_shared(p, fd, 0, name, &h);
	close(fd); /* the default context and its address space go with it */
	return r;
}

/* flink-and-exit: the child leaves its handle and file to the exit. */
static int cycle_exit(struct wl_proc *p, uint32_t name)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = wl_open_client(p, NULL);
		uint32_t h;
		_exit(bind_shared(p, fd, 0, name, &h) ? 1 : 0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static enum ending pick_ending(struct wl_proc *p, unsigned *rng)
{
	int64_t w[3] = { wl_get(p->cfg, "destroy_context"), wl_get(p->cfg, "close_file"),
			 wl_get(p->cfg, "exit") };
	int64_t total = w[0] + w[1] + w[2];
	if (total <= 0)
		return END_CONTEXT;
	int64_t x = rand_r(rng) % total;
	return x < w[0] ? END_CONTEXT : x < w[0] + w[1] ? END_CLOSE : END_EXIT;
}

static void import(struct wl_proc *p) __attribute__((noreturn));
static void import(struct wl_proc *p)
{
	while (atomic_load(&shared_names->generation) == 0 || atomic_load(&shared_names->count) == 0) {
		if (wl_should_stop(p))
			wl_exit(p, 0);
		usleep(10000);
	}
	int fd = wl_open_client(p, NULL);
	unsigned rng = (unsigned)(wl_get(p->cfg, "seed") * 7919 + p->index);
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, p->nprocs - 1);
	unsigned errors_in_row = 0;
	while (!wl_should_stop(p)) {
		wl_pacer_wait(&pacer);
		uint32_t count = atomic_load(&shared_names->count);
		uint32_t name = shared_names->name[rand_r(&rng) % count];
		int r;
		switch (pick_ending(p, &rng)) {
		case END_CONTEXT: r = cycle_context(p, fd, name); break;
		case END_CLOSE: r = cycle_close(p, name); break;
		default: r = cycle_exit(p, name); break;
		}
		if (r && ++errors_in_row > 100)
			usleep(10000); /* a refusal every cycle must not become a hot loop */
		else if (!r)
			errors_in_row = 0;
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

static void context_churn_run(struct wl_proc *p) __attribute__((noreturn));
static void context_churn_run(struct wl_proc *p)
{
	if (p->index == 0)
		export(p);
	import(p);
}

const struct wl_type wl_context_churn = {
	.name = "context-churn",
	.summary = "importers bind an exporter's flinked objects in contexts that then go away (seed 004)",
	.keys = context_churn_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK | GS_CAP_EXECBUF,
	.nprocs = context_churn_nprocs,
	.setup = context_churn_setup,
	.fds = context_churn_fds,
	.teardown = context_churn_teardown,
	.run = context_churn_run,
};
