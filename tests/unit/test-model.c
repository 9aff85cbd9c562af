/* The kernel model's lifetime rules (tests/model/), one sequence at a time:
 * what each seed fix changes, and that everything goes once the last file
 * is released. The racy cases need real concurrency and are in
 * tests/integration/model-seeds.sh. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/model/model.h"

static void no_watch(int fd, uint32_t id, bool is_file)
{
}

static int setup(void **state)
{
	model_init();
	M.watch_fd = no_watch;
	pthread_mutex_lock(&M.lock); /* the model's functions run with it held */
	return 0;
}

static int teardown(void **state)
{
	pthread_mutex_unlock(&M.lock);
	return 0;
}

static int count_objs(void)
{
	int n = 0;
	for (struct m_obj *o = M.objs; o; o = o->next)
		n++;
	return n;
}

static int count_vmas(void)
{
	int n = 0;
	for (struct m_obj *o = M.objs; o; o = o->next)
		for (struct m_vma *v = o->vmas; v; v = v->next_in_obj)
			n++;
	return n;
}

static int count_vms(void)
{
	int n = 0;
	for (struct m_vm *v = M.vms; v; v = v->next)
		n++;
	return n;
}

/* Every user fd of every dma-buf closed (the server sees the hang-ups). */
static void close_dmabuf_fds(void)
{
	while (M.dmabuf_fds)
		dmabuf_fd_release(M.dmabuf_fds);
}

/* gem_ppgtt flink-and-close: B binds A's flinked object in a context it then
 * destroys, and in its default context before its file goes. */
static int vmas_left_by_importer(bool fix)
{
	M.fix[FIX_004_CONTEXT_VMA_CLEANUP] = fix;
	struct m_file *a = file_new(getpid(), -1), *b = file_new(getpid(), -1);
	uint32_t h, name, hb, ctx;
	uint64_t size, off = 0;
	assert_int_equal(gem_create_ioctl(a, 4096, &h), 0);
	assert_int_equal(flink_ioctl(a, h, &name), 0);
	assert_int_equal(gem_open_ioctl(b, name, &hb, &size), 0);
	assert_int_equal(mi915_context_create(b, &ctx), 0);
	assert_int_equal(mi915_execbuf(b, ctx, &hb, &off, 1), 0);
	assert_int_equal(mi915_execbuf(b, 0, &hb, &off, 1), 0);
	assert_int_equal(count_vmas(), 2);
	assert_int_equal(mi915_context_destroy(b, ctx), 0);
	assert_int_equal(mi915_context_destroy(b, 0), -ENOENT);
	assert_int_equal(gem_close_ioctl(b, hb), 0);
	file_release(b);
	int left = count_vmas();
	int vms = count_vms();
	file_release(a); /* the object goes, and its VMAs with it */
	assert_int_equal(count_objs(), 0);
	assert_int_equal(count_vms(), 0);
	return left * 100 + vms;
}

static void seed_004_vmas(void **state)
{
	assert_int_equal(vmas_left_by_importer(true), 0 * 100 + 1);  /* A's default VM */
	assert_int_equal(vmas_left_by_importer(false), 1 * 100 + 2); /* + the destroyed context's VM (GEM_CLOSE closed the default one's VMA) */
}

/* Seed 000: export in A, import in B, close the dma-buf, B and A close. */
static int dmabufs_left(bool fix)
{
	M.fix[FIX_000_HANDLE_HOLDS_DMABUF] = fix;
	struct m_file *a = file_new(getpid(), -1), *b = file_new(getpid(), -1);
	uint32_t h, hb, again;
	int fd;
	assert_int_equal(gem_create_ioctl(a, 4096, &h), 0);
	assert_int_equal(prime_handle_to_fd_ioctl(a, h, &fd), 0);
	assert_int_equal(prime_fd_to_handle_ioctl(b, fd, &hb), 0);
	assert_int_equal(prime_fd_to_handle_ioctl(b, fd, &again), 0);
	assert_int_equal(again, hb); /* the per-file cache gives the same handle */
	assert_int_equal(prime_fd_to_handle_ioctl(a, fd, &again), 0);
	assert_int_equal(again, h); /* self-import */
	close(fd);
	close_dmabuf_fds();
	assert_int_equal(gem_close_ioctl(b, hb), 0);
	assert_int_equal(gem_close_ioctl(a, h), 0);
	uint64_t bytes;
	int left = dmabuf_count(&bytes) * 10 + count_objs();
	file_release(b);
	file_release(a);
	assert_int_equal(dmabuf_count(&bytes), 0);
	assert_int_equal(count_objs(), 0);
	return left;
}

static void seed_000_prime_cache(void **state)
{
	assert_int_equal(dmabufs_left(true), 0);
	assert_int_equal(dmabufs_left(false), 11); /* until A's file closes */
}

/* A name lives as long as any handle; then it is gone for good. */
static void flink_names_follow_handles(void **state)
{
	struct m_file *a = file_new(getpid(), -1), *b = file_new(getpid(), -1);
	uint32_t h, name, hb, again;
	uint64_t size;
	assert_int_equal(gem_create_ioctl(a, 4096, &h), 0);
	assert_int_equal(flink_ioctl(a, h, &name), 0);
	assert_int_equal(flink_ioctl(a, h, &again), 0);
	assert_int_equal(again, name);
	assert_int_equal(gem_open_ioctl(b, name, &hb, &size), 0);
	assert_int_equal(size, 4096);
	assert_int_equal(gem_close_ioctl(a, h), 0);
	assert_int_equal(flink_ioctl(b, hb, &again), 0);
	assert_int_equal(again, name); /* a handle still exists */
	assert_int_equal(gem_close_ioctl(b, hb), 0);
	assert_int_equal(gem_open_ioctl(b, name, &hb, &size), -ENOENT);
	assert_int_equal(count_objs(), 0);
	assert_int_equal(gem_close_ioctl(b, hb), -EINVAL);
	file_release(a);
	file_release(b);
}

/* Handles are the lowest free numbers, as idr_alloc gives them. */
static void handles_reuse_the_lowest(void **state)
{
	struct m_file *a = file_new(getpid(), -1);
	uint32_t h1, h2, h3;
	assert_int_equal(gem_create_ioctl(a, 1, &h1), 0);
	assert_int_equal(gem_create_ioctl(a, 1, &h2), 0);
	assert_int_equal(h1, 1);
	assert_int_equal(h2, 2);
	assert_int_equal(gem_close_ioctl(a, h1), 0);
	assert_int_equal(gem_create_ioctl(a, 1, &h3), 0);
	assert_int_equal(h3, 1);
	assert_int_equal(M.objs->size, 4096); /* rounded up to pages */
	file_release(a);
	assert_int_equal(count_objs(), 0);
}

/* Names too: the lowest free one (idr), so a freed name 1 is given again. */
static void names_reuse_the_lowest(void **state)
{
	struct m_file *a = file_new(getpid(), -1);
	uint32_t h1, h2, n1, n2, h3, n3;
	assert_int_equal(gem_create_ioctl(a, 1, &h1), 0);
	assert_int_equal(gem_create_ioctl(a, 1, &h2), 0);
	assert_int_equal(flink_ioctl(a, h1, &n1), 0);
	assert_int_equal(flink_ioctl(a, h2, &n2), 0);
	assert_int_equal(n1 * 10 + n2, 12);
	assert_int_equal(gem_close_ioctl(a, h1), 0);
	assert_int_equal(gem_create_ioctl(a, 1, &h3), 0);
	assert_int_equal(flink_ioctl(a, h3, &n3), 0);
	assert_int_equal(n3, 1);
	file_release(a);
	assert_int_equal(count_objs(), 0);
}

/* GEM_CLOSE closes the file's VMA of the object (i915_gem_close_object)
 * and its address is reused (drm_mm); a presumed offset that is free is
 * taken as it is. */
static void close_unbinds_and_offsets_are_reused(void **state)
{
	struct m_file *a = file_new(getpid(), -1);
	uint32_t h1, h2, h3;
	uint64_t o1 = 0, o2 = 0, o3 = 0, o4 = 0x100000;
	assert_int_equal(gem_create_ioctl(a, 4096, &h1), 0);
	assert_int_equal(gem_create_ioctl(a, 4096, &h2), 0);
	assert_int_equal(mi915_execbuf(a, 0, &h1, &o1, 1), 0);
	assert_int_equal(mi915_execbuf(a, 0, &h2, &o2, 1), 0);
	assert_true(o1 != o2);
	assert_int_equal(count_vmas(), 2);
	assert_int_equal(gem_close_ioctl(a, h1), 0);
	assert_int_equal(count_vmas(), 1);
	assert_int_equal(gem_create_ioctl(a, 4096, &h3), 0);
	assert_int_equal(mi915_execbuf(a, 0, &h3, &o3, 1), 0);
	assert_int_equal(o3, o1);
	assert_int_equal(gem_close_ioctl(a, h3), 0);
	assert_int_equal(gem_create_ioctl(a, 4096, &h3), 0);
	assert_int_equal(mi915_execbuf(a, 0, &h3, &o4, 1), 0);
	assert_int_equal(o4, 0x100000);
	file_release(a);
	assert_int_equal(count_objs(), 0);
	assert_int_equal(count_vms(), 0);
}

static bool exists(const char *dir, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return access(path, F_OK) == 0;
}

/* The driver unbound: open files stay dead, dri/N goes (dma-bufs stay);
 * bound again: new files work and dri/N is back. */
static void unplug_and_replug(void **state)
{
	char dir[] = "/tmp/gs-test-model-XXXXXX";
	assert_non_null(mkdtemp(dir));
	debugfs_add_device(dir);
	struct m_file *a = file_new(getpid(), -1);
	assert_true(exists(dir, "dri/0/gem_names"));
	model_unplug(dir);
	assert_true(M.unplugged && a->unplugged);
	assert_false(exists(dir, "dri/0"));
	debugfs_write_all(dir);
	assert_false(exists(dir, "dri/0"));
	assert_true(exists(dir, "dma_buf/bufinfo"));
	model_replug(dir);
	struct m_file *b = file_new(getpid(), -1);
	assert_false(M.unplugged || b->unplugged);
	assert_true(a->unplugged);
	assert_true(exists(dir, "dri/0/gem_names") && exists(dir, "dri/0/i915_gem_drop_caches"));
	file_release(a);
	file_release(b);
	debugfs_remove_device(dir);
	static const char *const rest[] = { "dma_buf/bufinfo", "slabinfo", "dma_buf", "dri", "" };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, rest[i]);
		assert_int_equal(remove(path), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(seed_004_vmas, setup, teardown),
		cmocka_unit_test_setup_teardown(seed_000_prime_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(flink_names_follow_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(handles_reuse_the_lowest, setup, teardown),
		cmocka_unit_test_setup_teardown(names_reuse_the_lowest, setup, teardown),
		cmocka_unit_test_setup_teardown(close_unbinds_and_offsets_are_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(unplug_and_replug, setup, teardown),
	};
	return cmocka_run_group_tests_name("kernel model", tests, NULL, NULL);
}
