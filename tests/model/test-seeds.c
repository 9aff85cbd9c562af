/* gs-model-seeds: each of seeds 000, 001 and 002 performed directly against
 * the kernel model (under the shim), with real concurrent processes and
 * threads, and the leak looked for in the model's debugfs files, read
 * right after the last call returns (release and debugfs are synchronous).
 *
 *   gs-model-seeds 000|001|002 leak|clean DEBUGFS
 *   gs-model-seeds release clean DEBUGFS   (the model releases the files
 *                                           of a SIGKILLed process)
 *
 * Exit 0 when what was seen matches the expectation: "leak" with the
 * seed's fix left out of the model, "clean" with it in. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include <i915_drm.h>

#include "common/util.h"
#include "device/device.h"
#include "device/gem.h"
#include "sources/sources.h"

#define RACE_SECONDS 1.5
#define RACE_THREADS 4

static const char *debugfs;
static int failures;

static int open_dev(void)
{
	int fd = device_open_fd(getenv("GS_MODEL_DEV"));
	if (fd < 0) {
		fprintf(stderr, "gs-model-seeds: cannot open the model device: %s\n", strerror(-fd));
		exit(2);
	}
	return fd;
}

static char *read_debugfs(const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", debugfs, rel);
	char *t = read_text_file(path, NULL);
	if (!t) {
		fprintf(stderr, "gs-model-seeds: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return t;
}

struct counts {
	uint64_t objects, dmabufs, names;
};

static struct counts count(void)
{
	struct counts c = { 0 };
	char *t = read_debugfs("dri/0/i915_gem_objects");
	struct i915_objects_stats os;
	if (parse_i915_gem_objects(t, &os) == 0)
		c.objects = os.objects;
	free(t);
	t = read_debugfs("dma_buf/bufinfo");
	uint64_t bytes;
	parse_dmabuf_bufinfo(t, &c.dmabufs, &bytes);
	free(t);
	t = read_debugfs("dri/0/gem_names");
	struct gem_names_stats gs;
	if (parse_gem_names(t, &gs) == 0)
		c.names = gs.names;
	free(t);
	return c;
}

/* leaked > 0 must match the expectation. */
static void expect(bool want_leak, const char *what, long long leaked)
{
	bool ok = want_leak ? leaked > 0 : leaked == 0;
	printf("%s %s: %lld\n", ok ? "ok  " : "FAIL", what, leaked);
	if (!ok)
		failures++;
}

/* ---- seed 000: the exporter's PRIME cache keeps the dma-buf ----
 * i915 creates and exports, another process imports, the prime fd is
 * closed, both drop the buffer: the exporter's file still holds it. */
static void seed_000(bool leak)
{
	struct counts base = count();
	int fd = open_dev();
	const int rounds = 20;
	for (int i = 0; i < rounds; i++) {
		uint32_t h, h2;
		int dmabuf;
		if (gem_create(fd, GS_DRIVER_I915, 4096, &h) || prime_export(fd, h, &dmabuf)) {
			fprintf(stderr, "gs-model-seeds: create/export failed\n");
			exit(2);
		}
		pid_t pid = fork();
		if (pid == 0) {
			int fd2 = open_dev();
			if (lseek(dmabuf, 0, SEEK_END) != 4096)
				_exit(3); /* a dma-buf tells its size (the model's shim too) */
			_exit(prime_import(fd2, dmabuf, &h2) || gem_close(fd2, h2) ? 1 : 0);
		}
		int status;
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "gs-model-seeds: the importer failed (status %d)\n", status);
			exit(2);
		}
		close(dmabuf);
		gem_close(fd, h);
	}
	struct counts c = count();
	expect(leak, "000: dma-bufs kept by the exporter's open file", (long long)(c.dmabufs - base.dmabufs));
	expect(leak, "000: objects kept by the exporter's open file", (long long)(c.objects - base.objects));
	close(fd);
	c = count();
	expect(false, "000: dma-bufs left once the exporter's file closed", (long long)(c.dmabufs - base.dmabufs));
}

/* ---- threads racing on one file (igt prime_self_import, gem_flink_race) ---- */

struct race {
	int fd;
	double until;
	void (*step)(struct race *r);
	_Atomic uint32_t name;       /* 002 flink_name: the current name */
	_Atomic unsigned mismatches; /* 002 flink_name: a re-flink gave another name */
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	while (now_monotonic() < r->until)
		r->step(r);
	return NULL;
}

static void run_race(struct race *r, int nthreads)
{
	pthread_t t[RACE_THREADS];
	r->until = now_monotonic() + RACE_SECONDS;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, race_thread, r);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
}

static void raw_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };
	drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* Keep handle 1 in use; close any other that creation returned. */
static void create_handle_1(int fd)
{
	uint32_t h;
	if (gem_create(fd, GS_DRIVER_I915, 4096, &h) == 0 && h != 1)
		raw_close(fd, h);
}

/* export-vs-gem_close-race */
static void export_close_step(struct race *r)
{
	create_handle_1(r->fd);
	struct drm_prime_handle p = { .handle = 1, .flags = DRM_CLOEXEC, .fd = -1 };
	int ok = drmIoctl(r->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p) == 0;
	raw_close(r->fd, 1);
	if (ok)
		close(p.fd);
}

/* Threads run step on one file, which then closes: what is left? */
static struct counts race_leftovers(void (*step)(struct race *r))
{
	struct counts base = count();
	struct race r = { .fd = open_dev(), .step = step };
	run_race(&r, RACE_THREADS);
	close(r.fd);
	struct counts c = count();
	return (struct counts){ c.objects - base.objects, c.dmabufs - base.dmabufs, c.names - base.names };
}

static void seed_001(bool leak)
{
	struct counts left = race_leftovers(export_close_step);
	expect(leak, "001: objects leaked by export racing GEM_CLOSE", (long long)left.objects);
	expect(leak, "001: dma-bufs leaked by export racing GEM_CLOSE", (long long)left.dmabufs);
}

/* flink_close: a flink racing the close of the last handle */
static void flink_close_step(struct race *r)
{
	create_handle_1(r->fd);
	struct drm_gem_flink f = { .handle = 1 };
	drmIoctl(r->fd, DRM_IOCTL_GEM_FLINK, &f);
	raw_close(r->fd, 1);
}

/* flink_name: open the current name, flink the new handle: same name? */
static void flink_name_step(struct race *r)
{
	uint32_t name = atomic_load(&r->name), h, again;
	if (!name || gem_open(r->fd, name, &h, NULL))
		return;
	if (gem_flink(r->fd, h, &again) == 0 && again != name)
		atomic_fetch_add(&r->mismatches, 1);
	gem_close(r->fd, h);
}

static void *flink_name_owner(void *arg)
{
	struct race *r = arg;
	int fd = open_dev();
	while (now_monotonic() < r->until) {
		uint32_t h, name;
		if (gem_create(fd, GS_DRIVER_I915, 4096, &h) || gem_flink(fd, h, &name))
			continue;
		atomic_store(&r->name, name);
		usleep(200);
		gem_close(fd, h);
	}
	close(fd);
	return NULL;
}

static void seed_002(bool leak)
{
	struct counts left = race_leftovers(flink_close_step);
	expect(leak, "002: objects kept by names flinked while their last handle closed", (long long)left.objects);
	expect(leak, "002: flink names without handles", (long long)left.names);

	struct race n = { .fd = open_dev(), .step = flink_name_step };
	pthread_t owner;
	n.until = now_monotonic() + RACE_SECONDS;
	pthread_create(&owner, NULL, flink_name_owner, &n);
	run_race(&n, RACE_THREADS - 1);
	pthread_join(owner, NULL);
	close(n.fd);
	expect(leak, "002: GEM_OPEN of a name, then FLINK gave another name", (long long)atomic_load(&n.mismatches));
}

/* ---- the model itself: a SIGKILLed process's files are released ---- */
static void model_release(void)
{
	struct counts base = count();
	int ready[2];
	if (pipe(ready) < 0)
		exit(2);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open_dev();
		uint32_t h, name;
		for (int i = 0; i < 10; i++)
			if (gem_create(fd, GS_DRIVER_I915, 4096, &h) || gem_flink(fd, h, &name))
				_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	if (read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "gs-model-seeds: the child failed\n");
		exit(2);
	}
	struct counts held = count();
	expect(true, "model: objects held by a live process", (long long)(held.objects - base.objects));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	struct counts c2 = count();
	expect(false, "model: objects left after SIGKILL", (long long)(c2.objects - base.objects));
	expect(false, "model: names left after SIGKILL", (long long)(c2.names - base.names));
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[2], "leak") && strcmp(argv[2], "clean"))) {
		fprintf(stderr, "usage: gs-model-seeds 000|001|002 leak|clean DEBUGFS\n");
		return 64;
	}
	debugfs = argv[3];
	bool leak = strcmp(argv[2], "leak") == 0;
	if (strcmp(argv[1], "000") == 0)
		seed_000(leak);
	else if (strcmp(argv[1], "001") == 0)
		seed_001(leak);
	else if (strcmp(argv[1], "002") == 0)
		seed_002(leak);
	else if (strcmp(argv[1], "release") == 0 && !leak)
		model_release();
	else {
		fprintf(stderr, "gs-model-seeds: unknown seed %s\n", argv[1]);
		return 64;
	}
	return failures ? 1 : 0;
}
