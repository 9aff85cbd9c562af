/* gs-model-igt: the sequences of igt-gpu-tools' leak and race tests
 * (gem_flink_race, prime_self_import, gem_ppgtt), written from reading
 * them, performed against the kernel model under the shim. Counts are read
 * from the model's debugfs right after the call before returns, with no
 * sleep, and as igt reads them (openat() relative to the directory): the
 * model must release and show state as synchronously as the kernel does.
 *
 *   gs-model-igt SEQUENCE DEBUGFS
 *
 * SEQUENCE: flink_name flink_close export-vs-gem_close-race
 * reimport-vs-gem_close-race with_one_bo with_two_bos with_fd_dup
 * flink-and-close flink-and-exit prime-cache-open-file prime-stale-entry
 * (the last two: seed 000 on a long-lived file, as on 6.1 with the bug
 * put back, and the stale cache entry of the seed-003 discussion).
 *
 * Prints one line "SEQUENCE: FIGURE ..." and exits 0 when igt's check
 * holds (0 leaked, same handle, same contents, same offset), 1 when it
 * fails as igt's subtest would, 2 when the sequence could not be run. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include <i915_drm.h>

#include "common/util.h"
#include "sources/sources.h"

#define THREADS 4
#define RACE_ROUNDS 3000   /* per thread */
#define NAME_CYCLES 3000   /* flink_name's create-flink-close cycles */
#define BO_SIZE 4096

static const char *debugfs;

static void die(const char *what)
{
	fprintf(stderr, "gs-model-igt: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int drm_open(void)
{
	const char *dev = getenv("GS_MODEL_DEV");
	int fd = dev ? open(dev, O_RDWR | O_CLOEXEC) : -1;
	if (fd < 0)
		die("open the model device");
	return fd;
}

/* ---- the igt wrappers this needs (asserting, as igt's do) ---- */

static void xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (drmIoctl(fd, req, arg) != 0)
		die(what);
}

static uint32_t bo_create(int fd, uint64_t size)
{
	struct drm_i915_gem_create c = { .size = size };
	xioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c, "GEM_CREATE");
	return c.handle;
}

static void bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };
	xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c, "GEM_CLOSE");
}

static uint32_t bo_flink(int fd, uint32_t handle)
{
	struct drm_gem_flink f = { .handle = handle };
	xioctl(fd, DRM_IOCTL_GEM_FLINK, &f, "GEM_FLINK");
	return f.name;
}

static uint32_t bo_open(int fd, uint32_t name)
{
	struct drm_gem_open o = { .name = name };
	xioctl(fd, DRM_IOCTL_GEM_OPEN, &o, "GEM_OPEN");
	return o.handle;
}

static int to_fd(int fd, uint32_t handle)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC, .fd = -1 };
	xioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p, "PRIME_HANDLE_TO_FD");
	return p.fd;
}

static uint32_t to_handle(int fd, int dmabuf)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p, "PRIME_FD_TO_HANDLE");
	return p.handle;
}

/* The legacy CPU mapping (igt's gem_mmap__cpu); NULL when the handle
 * cannot be mapped, where igt's wrapper fails the subtest. */
static unsigned char *bo_map(int fd, uint32_t handle)
{
	struct drm_i915_gem_mmap m = { .handle = handle, .size = BO_SIZE };
	if (drmIoctl(fd, DRM_IOCTL_I915_GEM_MMAP, &m) != 0)
		return NULL;
	return (unsigned char *)(uintptr_t)m.addr_ptr;
}

/* What the last check_bo wrote into every byte (igt's `counter`). */
static unsigned char counter;

/* igt's check_bo: both handles still show what the last check wrote
 * (the same object, nothing lost), and a write through one is seen
 * through the other. 0 when all holds; 1 when not, or when a handle
 * cannot be mapped. */
static int check_bo(int fd1, uint32_t h1, int fd2, uint32_t h2)
{
	unsigned char *a = bo_map(fd1, h1), *b = bo_map(fd2, h2);
	int bad = !a || !b;
	if (!bad) {
		for (int i = 0; i < BO_SIZE; i++)
			bad |= a[i] != counter || b[i] != counter;
		counter++;
		memset(a, counter, BO_SIZE);
		bad |= memcmp(a, b, BO_SIZE) != 0;
	}
	if (a)
		munmap(a, BO_SIZE);
	if (b)
		munmap(b, BO_SIZE);
	return bad;
}

/* igt's exec_and_get_offset: a batch of MI_BATCH_BUFFER_END, run alone in
 * the file's default context; its address. */
static uint64_t exec_and_get_offset(int fd, uint32_t batch)
{
	uint32_t bbe[2] = { 0xA << 23, 0 };
	struct drm_i915_gem_pwrite w = { .handle = batch, .size = sizeof(bbe),
					 .data_ptr = (uintptr_t)bbe };
	xioctl(fd, DRM_IOCTL_I915_GEM_PWRITE, &w, "GEM_PWRITE");
	struct drm_i915_gem_exec_object2 obj = { .handle = batch };
	struct drm_i915_gem_execbuffer2 eb = { .buffers_ptr = (uintptr_t)&obj, .buffer_count = 1,
					       .batch_len = sizeof(bbe) };
	xioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb, "EXECBUFFER2");
	return obj.offset;
}

static void gem_sync(int fd, uint32_t handle)
{
	struct drm_i915_gem_wait w = { .bo_handle = handle, .timeout_ns = -1 };
	xioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &w, "GEM_WAIT");
}

/* ---- debugfs, read as igt does ---- */

/* igt_debugfs_read: open the directory (dri/0 for a device's files),
 * openat() the file relative to it, read it whole, close both. */
static char *debugfs_read(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", debugfs, dir);
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die(path);
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(name);
	char *t = read_text_fd(fd, NULL);
	if (!t)
		die(name);
	close(fd);
	close(dfd);
	return t;
}

/* get_object_count: i915_gem_objects' total, read through a file of its
 * own as igt does. */
static long object_count(void)
{
	int fd = drm_open();
	char *t = debugfs_read("dri/0", "i915_gem_objects");
	struct i915_objects_stats os;
	if (parse_i915_gem_objects(t, &os) != 0) {
		fprintf(stderr, "gs-model-igt: i915_gem_objects not understood\n");
		exit(2);
	}
	free(t);
	close(fd);
	return (long)os.objects;
}

static long dmabuf_count(void)
{
	char *t = debugfs_read("dma_buf", "bufinfo");
	uint64_t n = 0, bytes;
	parse_dmabuf_bufinfo(t, &n, &bytes);
	free(t);
	return (long)n;
}

/* The PPGTT VMAs of the object named name: the "ppgtt offset" entries on
 * its line of i915_gem_gtt (igt matches "(name: N)"). */
static int name_in_gtt(uint32_t name)
{
	char *t = debugfs_read("dri/0", "i915_gem_gtt"), match[32];
	snprintf(match, sizeof(match), "(name: %u)", name);
	int n = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, match))
			continue;
		for (char *p = line; (p = strstr(p, "ppgtt offset")) != NULL; p++)
			n++;
	}
	free(t);
	return n;
}

static int leaked(const char *seq, long n)
{
	printf("%s: leaked %ld objects\n", seq, n);
	return n != 0;
}

/* ---- threads on one file ---- */

struct race {
	int fd, dmabuf;
	void (*step)(struct race *r);
	_Atomic int stop;
	_Atomic unsigned bad;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	for (int i = 0; i < RACE_ROUNDS && !atomic_load(&r->stop); i++)
		r->step(r);
	return NULL;
}

static void run_threads(struct race *r, void *(*fn)(void *))
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, fn, r);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

static void raw_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };
	ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* "We want to race gem close against X on handle one." */
static void create_handle_one(int fd)
{
	uint32_t h = bo_create(fd, BO_SIZE);
	if (h != 1)
		raw_close(fd, h);
}

/* flink_name: threads open name 1 and flink what they got: name 1 again. */
static void *flink_name_thread(void *arg)
{
	struct race *r = arg;
	while (!atomic_load(&r->stop)) {
		struct drm_gem_open o = { .name = 1 };
		if (ioctl(r->fd, DRM_IOCTL_GEM_OPEN, &o) == 0) {
			if (bo_flink(r->fd, o.handle) != 1)
				atomic_fetch_add(&r->bad, 1);
			bo_close(r->fd, o.handle);
		} else if (errno != ENOENT) {
			die("GEM_OPEN");
		}
	}
	return NULL;
}

static int seq_flink_name(void)
{
	struct race r = { .fd = drm_open() };
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, flink_name_thread, &r);
	unsigned ones = 0;
	for (int i = 0; i < NAME_CYCLES; i++) {
		uint32_t h = bo_create(r.fd, BO_SIZE);
		ones += bo_flink(r.fd, h) == 1;
		bo_close(r.fd, h);
	}
	atomic_store(&r.stop, 1);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	close(r.fd);
	printf("flink_name: %u re-flinks gave another name than the one opened; name 1 in %u of %d cycles\n",
	       atomic_load(&r.bad), ones, NAME_CYCLES);
	return atomic_load(&r.bad) != 0;
}

static void flink_close_step(struct race *r)
{
	create_handle_one(r->fd);
	struct drm_gem_flink f = { .handle = 1 };
	ioctl(r->fd, DRM_IOCTL_GEM_FLINK, &f);
	raw_close(r->fd, 1);
}

static void export_close_step(struct race *r)
{
	create_handle_one(r->fd);
	struct drm_prime_handle p = { .handle = 1, .flags = DRM_CLOEXEC, .fd = -1 };
	ioctl(r->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	raw_close(r->fd, 1);
	if (p.fd >= 0)
		close(p.fd);
}

/* flink_close, export-vs-gem_close-race: count, race on one file, close
 * it, count again. */
static int seq_race_on_file(const char *seq, void (*step)(struct race *r))
{
	long before = object_count();
	struct race r = { .fd = drm_open(), .step = step };
	run_threads(&r, race_thread);
	close(r.fd);
	return leaked(seq, object_count() - before);
}

static void reimport_close_step(struct race *r)
{
	struct drm_prime_handle p = { .fd = r->dmabuf };
	if (ioctl(r->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p) == 0)
		raw_close(r->fd, p.handle);
}

static int seq_reimport_close(void)
{
	long before = object_count();
	struct race r = { .fd = drm_open(), .step = reimport_close_step };
	uint32_t h = bo_create(r.fd, BO_SIZE);
	r.dmabuf = to_fd(r.fd, h);
	run_threads(&r, race_thread);
	close(r.fd);
	close(r.dmabuf);
	return leaked("reimport-vs-gem_close-race", object_count() - before);
}

/* ---- prime_self_import's functional subtests ---- */

/* Close both files (fd1 -1: closed already); what the checks found and
 * what was left. */
static int pair_done(const char *seq, int fd1, int fd2, long before, int bad)
{
	if (fd1 >= 0)
		close(fd1);
	close(fd2);
	long left = object_count() - before;
	printf("%s: failed checks %#x, leaked %ld objects\n", seq, bad, left);
	return bad || left;
}

/* test_with_one_bo of igt's tests/prime_self_import.c, step for step;
 * bit n of the failed checks is its nth check. */
static int seq_with_one_bo(void)
{
	long before = object_count();
	int fd1 = drm_open(), fd2 = drm_open(), bad = 0;
	uint32_t h = bo_create(fd1, BO_SIZE);
	int dmabuf = to_fd(fd1, h);
	uint32_t imp1 = to_handle(fd2, dmabuf);
	bad |= check_bo(fd1, h, fd2, imp1) << 0;
	bad |= (to_handle(fd2, dmabuf) != imp1) << 1; /* reimport: the same handle */
	bad |= (to_handle(fd1, dmabuf) != h) << 2;    /* on the exporter: the original */
	close(dmabuf);                                /* nothing disappears */
	bad |= check_bo(fd1, h, fd2, imp1) << 3;
	bo_close(fd1, h);
	bad |= check_bo(fd2, imp1, fd2, imp1) << 4;
	/* Re-import into the old exporter, with every handle of the object
	 * closed in between: only the dma-buf keeps it. */
	dmabuf = to_fd(fd2, imp1);
	bo_close(fd2, imp1);
	h = to_handle(fd1, dmabuf);
	imp1 = to_handle(fd2, dmabuf);
	bad |= check_bo(fd1, h, fd2, imp1) << 5;
	close(fd1); /* the exporting file ripped out */
	bad |= check_bo(fd2, imp1, fd2, imp1) << 6;
	close(dmabuf);
	return pair_done("with_one_bo", -1, fd2, before, bad);
}

static int seq_with_two_bos(void)
{
	long before = object_count();
	int fd1 = drm_open(), fd2 = drm_open();
	uint32_t h1 = bo_create(fd1, BO_SIZE), h2 = bo_create(fd1, BO_SIZE);
	int dmabuf = to_fd(fd1, h1);
	uint32_t imp = to_handle(fd2, dmabuf);
	close(dmabuf);
	bo_close(fd1, h1);
	dmabuf = to_fd(fd1, h2);
	uint32_t imp2 = to_handle(fd2, dmabuf);
	int bad = (imp2 == imp) | check_bo(fd1, h2, fd2, imp2) << 1;
	bo_close(fd1, h2);
	close(dmabuf);
	bad |= check_bo(fd2, imp2, fd2, imp2) << 2;
	return pair_done("with_two_bos", fd1, fd2, before, bad);
}

static int seq_with_fd_dup(void)
{
	long before = object_count();
	int fd1 = drm_open(), fd2 = drm_open();
	uint32_t h = bo_create(fd1, BO_SIZE);
	int d1 = to_fd(fd1, h);
	bo_close(fd1, h);
	int d2 = dup(d1);
	close(d1);
	uint32_t imp = to_handle(fd2, d2);
	int bad = check_bo(fd2, imp, fd2, imp);
	close(d2);
	bad |= check_bo(fd2, imp, fd2, imp) << 1;
	return pair_done("with_fd_dup", fd1, fd2, before, bad);
}

/* ---- gem_ppgtt ---- */

static void require_full_ppgtt(int fd)
{
	int v = 0;
	drm_i915_getparam_t gp = { .param = I915_PARAM_HAS_ALIASING_PPGTT, .value = &v };
	xioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp, "GETPARAM");
	if (v < 2) {
		printf("no full PPGTT: sequence skipped\n");
		exit(77);
	}
}

/* flink-and-close-vma-leak: the importer's VMA goes with its GEM_CLOSE,
 * so a new object of the same size gets the same address. */
static int seq_flink_and_close(void)
{
	int fd = drm_open();
	require_full_ppgtt(fd);
	uint32_t bo = bo_create(fd, BO_SIZE), name = bo_flink(fd, bo);
	int fd2 = drm_open();
	uint32_t flinked = bo_open(fd2, name);
	uint64_t offset = exec_and_get_offset(fd2, flinked);
	gem_sync(fd2, flinked);
	bo_close(fd2, flinked);
	uint32_t nbo = bo_create(fd2, BO_SIZE);
	uint64_t offset_new = exec_and_get_offset(fd2, nbo);
	bo_close(fd2, nbo);
	bo_close(fd, bo);
	close(fd);
	close(fd2);
	printf("flink-and-close: offset %#llx, the new object's %#llx\n", (unsigned long long)offset,
	       (unsigned long long)offset_new);
	return offset != offset_new;
}

/* flink-and-exit-vma-leak: the importer's VMA shows right after execbuf
 * and is gone once its file closes; then the same with the importer a
 * process that exits without closing anything. */
static int seq_flink_and_exit(void)
{
	int fd = drm_open();
	require_full_ppgtt(fd);
	uint32_t bo = bo_create(fd, BO_SIZE), name = bo_flink(fd, bo);
	int fd2 = drm_open();
	uint32_t flinked = bo_open(fd2, name);
	int before = name_in_gtt(name);
	exec_and_get_offset(fd2, flinked);
	int bound = name_in_gtt(name);
	close(fd2);
	fd2 = drm_open();
	exec_and_get_offset(fd2, bo_create(fd2, BO_SIZE));
	int after_close = name_in_gtt(name);
	close(fd2);

	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int f = drm_open();
		exec_and_get_offset(f, bo_open(f, name));
		_exit(0); /* the handle, the context and the file go with the exit */
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "gs-model-igt: the importer process failed\n");
		exit(2);
	}
	int after_exit = name_in_gtt(name) - after_close;
	bo_close(fd, bo);
	close(fd);
	printf("flink-and-exit: VMAs of the name before execbuf %d, after %d; left after the importer's close %d, after its exit %d\n",
	       before, bound, after_close, after_exit);
	return before != 0 || bound != 1 || after_close != 0 || after_exit != 0;
}

/* ---- seed 000 on a long-lived file ---- */

/* 6.1 with the bug put back: create, export, close the dma-buf, GEM_CLOSE
 * on one open file leaves one dma-buf per cycle until the file closes. */
static int seq_prime_cache_open_file(void)
{
	enum { CYCLES = 20 };
	long base = dmabuf_count(), max = 0;
	int fd = drm_open();
	for (int i = 0; i < CYCLES; i++) {
		uint32_t h = bo_create(fd, BO_SIZE);
		close(to_fd(fd, h));
		bo_close(fd, h);
		long n = dmabuf_count() - base;
		if (n > max)
			max = n;
	}
	long open_left = dmabuf_count() - base;
	close(fd);
	long closed_left = dmabuf_count() - base;
	printf("prime-cache-open-file: dma-bufs left on the open file after %d cycles %ld (most seen %ld), after its close %ld\n",
	       CYCLES, open_left, max, closed_left);
	return open_left != 0 || closed_left != 0;
}

/* The stale entry: B imports A's dma-buf and closes the handle; the
 * handle number goes to B's next object; importing the dma-buf again must
 * give A's object, not that one. */
static int seq_prime_stale_entry(void)
{
	int fa = drm_open(), fb = drm_open();
	uint32_t ha = bo_create(fa, BO_SIZE);
	int dmabuf = to_fd(fa, ha);
	uint32_t first = to_handle(fb, dmabuf);
	bo_close(fb, first);
	uint32_t other = bo_create(fb, BO_SIZE);
	uint32_t again = to_handle(fb, dmabuf);
	int bad = check_bo(fa, ha, fb, again);
	printf("prime-stale-entry: first import %u, then another object got %u, the reimport gave %u: %s\n",
	       first, other, again, bad ? "another object's contents" : "the exported object");
	close(dmabuf);
	close(fa);
	close(fb);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gs-model-igt SEQUENCE DEBUGFS\n");
		return 64;
	}
	debugfs = argv[2];
	const char *s = argv[1];
	if (!strcmp(s, "flink_name"))
		return seq_flink_name();
	if (!strcmp(s, "flink_close"))
		return seq_race_on_file(s, flink_close_step);
	if (!strcmp(s, "export-vs-gem_close-race"))
		return seq_race_on_file(s, export_close_step);
	if (!strcmp(s, "reimport-vs-gem_close-race"))
		return seq_reimport_close();
	if (!strcmp(s, "with_one_bo"))
		return seq_with_one_bo();
	if (!strcmp(s, "with_two_bos"))
		return seq_with_two_bos();
	if (!strcmp(s, "with_fd_dup"))
		return seq_with_fd_dup();
	if (!strcmp(s, "flink-and-close"))
		return seq_flink_and_close();
	if (!strcmp(s, "flink-and-exit"))
		return seq_flink_and_exit();
	if (!strcmp(s, "prime-cache-open-file"))
		return seq_prime_cache_open_file();
	if (!strcmp(s, "prime-stale-entry"))
		return seq_prime_stale_entry();
	fprintf(stderr, "gs-model-igt: unknown sequence '%s'\n", s);
	return 64;
}
