/* The debugfs/procfs parsers on real-format fixtures (tests/fixtures). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <cmocka.h>

#include "common/util.h"
#include "sources/sources.h"
#include "tests/unit/fixture.h"

static void gem_names_real(void **state)
{
	char *t = fixture("gem_names-6.1");
	struct gem_names_stats s;
	assert_int_equal(parse_gem_names(t, &s), 0);
	assert_int_equal(s.names, 4);
	assert_int_equal(s.handles, 5);
	assert_int_equal(s.refcount, 5);
	assert_int_equal(s.bytes, 4 * 4096);
	free(t);
}

static void gem_names_empty_and_garbage(void **state)
{
	char *t = fixture("gem_names-empty");
	struct gem_names_stats s;
	assert_int_equal(parse_gem_names(t, &s), 0);
	assert_int_equal(s.names, 0);
	free(t);
	t = fixture("gem_names-garbage");
	assert_int_equal(parse_gem_names(t, &s), -EINVAL);
	free(t);
	assert_int_equal(parse_gem_names("", &s), -EINVAL);
	assert_int_equal(parse_gem_names("  name     size handles refcount\n 1 2 x 4\n", &s), -EINVAL);
	assert_int_equal(parse_gem_names("  name     size handles refcount\n 1 2 3 4 5\n", &s), -EINVAL);
}

static void clients_all_formats(void **state)
{
	static const struct { const char *file; uint64_t n; } cases[] = {
		{ "clients-6.1", 4 }, { "clients-6.5-tgid", 2 }, { "clients-3.x", 2 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *t = fixture(cases[i].file);
		uint64_t n = 99;
		assert_int_equal(parse_drm_clients(t, &n), 0);
		assert_int_equal(n, cases[i].n);
		free(t);
	}
	uint64_t n;
	assert_int_equal(parse_drm_clients("no header here\n", &n), -EINVAL);
	assert_int_equal(parse_drm_clients("", &n), -EINVAL);
}

/* The pids of the DRM clients, in every era, a command with spaces too. */
static void client_pids_all_formats(void **state)
{
	(void)state;
	int pids[8];
	size_t n;
	char *t = fixture("clients-6.5-tgid");
	assert_int_equal(parse_drm_client_pids(t, pids, 8, &n), 0);
	free(t);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 2344);
	assert_int_equal(pids[1], 2511);
	t = fixture("clients-3.x");
	assert_int_equal(parse_drm_client_pids(t, pids, 8, &n), 0);
	free(t);
	assert_int_equal(n, 2);
	assert_int_equal(pids[1], 2511);
	t = fixture("clients-6.1");
	assert_int_equal(parse_drm_client_pids(t, pids, 1, &n), 0);
	free(t);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 113);
	assert_int_equal(parse_drm_client_pids("  command   pid dev master a   uid      magic\n"
					       "  Web Content   77   0   n    y  1000          0\n"
					       "  x -1 0 n y 0 0\n", pids, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 77);
	assert_int_equal(parse_drm_client_pids("no header here\n", pids, 8, &n), -EINVAL);
}

static void bufinfo_all_formats(void **state)
{
	static const struct { const char *file; uint64_t objects, bytes; } cases[] = {
		{ "bufinfo-6.1", 2, 20480 }, { "bufinfo-6.1-empty", 0, 0 }, { "bufinfo-3.x", 1, 4096 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *t = fixture(cases[i].file);
		uint64_t o = 99, b = 99;
		assert_int_equal(parse_dmabuf_bufinfo(t, &o, &b), 0);
		assert_int_equal(o, cases[i].objects);
		assert_int_equal(b, cases[i].bytes);
		free(t);
	}
	uint64_t o, b;
	/* "Total N devices attached" alone is not the objects total. */
	assert_int_equal(parse_dmabuf_bufinfo("Total 1 devices attached\n", &o, &b), -EINVAL);
}

/* "-1" and numbers past 63 bits are no counter: -ERANGE, not 1.8e19. */
static void negative_and_overflowing_numbers_are_refused(void **state)
{
	uint64_t a, b;
	struct i915_objects_stats os;
	struct i915_gtt_stats gs;
	assert_int_equal(parse_meminfo_kb("Shmem: -1 kB\n", "Shmem", &a), -ERANGE);
	assert_int_equal(parse_meminfo_kb("Shmem: 99999999999999999999 kB\n", "Shmem", &a), -ERANGE);
	assert_int_equal(parse_meminfo_kb("Shmem: 9223372036854775807 kB\n", "Shmem", &a), 0);
	assert_int_equal(parse_dmabuf_bufinfo("Total -1 objects, 4096 bytes\n", &a, &b), -ERANGE);
	assert_int_equal(parse_dmabuf_bufinfo("Total 1 objects, 18446744073709551616 bytes\n", &a, &b), -ERANGE);
	assert_int_equal(parse_slabinfo_cache("slabinfo - version: 2.1\ni915_vma -3 4\n", "i915_vma", &a, &b), -ERANGE);
	assert_int_equal(parse_i915_gem_objects("-1 objects, 10 bytes\n", &os), -ERANGE);
	assert_int_equal(parse_i915_gem_objects("1 shrinkable [-2 free] objects, 10 bytes\n", &os), -ERANGE);
	assert_int_equal(parse_i915_gem_gtt("Total 99999999999999999999 objects, 1 bytes\n", &gs), -ERANGE);
	struct drm_fdinfo f;
	assert_int_equal(parse_drm_fdinfo("drm-driver: i915\ndrm-total-system: -1\n", &f), 0);
	assert_false(f.has_memory);
	char why[128];
	assert_int_equal(source_parse_failed(-ERANGE, "/proc/meminfo", "", why, sizeof(why)), -ERANGE);
	assert_string_equal(why, "/proc/meminfo: a negative or overflowing number; not recorded");
}

static void meminfo_and_status(void **state)
{
	char *t = fixture("meminfo-6.1");
	uint64_t kb;
	assert_int_equal(parse_meminfo_kb(t, "Shmem", &kb), 0);
	assert_true(kb > 0);
	uint64_t slab, sunreclaim, sreclaimable;
	assert_int_equal(parse_meminfo_kb(t, "Slab", &slab), 0);
	assert_int_equal(parse_meminfo_kb(t, "SUnreclaim", &sunreclaim), 0);
	assert_int_equal(parse_meminfo_kb(t, "SReclaimable", &sreclaimable), 0);
	assert_int_equal(slab, sunreclaim + sreclaimable);
	/* A key is a whole name: "Shmem" must not match "ShmemHugePages". */
	assert_int_equal(parse_meminfo_kb("ShmemHugePages: 5 kB\nShmem: 7 kB\n", "Shmem", &kb), 0);
	assert_int_equal(kb, 7);
	assert_int_equal(parse_meminfo_kb("MemTotal: 1 kB\n", "Shmem", &kb), -ENOENT);
	free(t);
	t = fixture("status-6.1");
	assert_int_equal(parse_status_rss_kb(t, &kb), 0);
	assert_true(kb > 0);
	free(t);
}

static void batch_grows_and_rejects_long_names(void **state)
{
	struct metric_batch b;
	batch_init(&b);
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof(name), "m.%d", i);
		assert_int_equal(batch_put(&b, name, i, "count"), 0);
	}
	assert_int_equal(b.n, 100);
	assert_string_equal(b.v[99].name, "m.99");
	char lng[200];
	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	assert_int_equal(batch_put(&b, lng, 1, "count"), -ENAMETOOLONG);
	batch_free(&b);
}

static void framebuffers_per_owner(void **state)
{
	char *t = fixture("framebuffer-6.1-xorg");
	struct drm_fb_stats s;
	assert_int_equal(parse_drm_framebuffers(t, &s), 0);
	assert_int_equal(s.framebuffers, 2);
	assert_int_equal(s.owners, 2);
	assert_string_equal(s.owner[0].name, "Xorg");
	assert_int_equal(s.owner[0].count, 1);
	assert_string_equal(s.owner[1].name, "fbcon");
	assert_int_equal(s.owner[1].count, 1);
	free(t);
	t = fixture("framebuffer-4.14"); /* before "allocated by" */
	assert_int_equal(parse_drm_framebuffers(t, &s), 0);
	assert_int_equal(s.framebuffers, 1);
	assert_string_equal(s.owner[0].name, "unknown");
	free(t);
	assert_int_equal(parse_drm_framebuffers("", &s), 0); /* a KMS driver with none */
	assert_int_equal(s.framebuffers, 0);
	assert_int_equal(parse_drm_framebuffers("  name     size handles refcount\n", &s), -EINVAL);
	/* More owners than the table holds: the rest are "other". */
	char many[8192] = "";
	for (int i = 0; i < DRM_FB_OWNERS_MAX + 3; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "framebuffer[%d]:\n\tallocated by = p%d w/ space\n", i, i);
	assert_int_equal(parse_drm_framebuffers(many, &s), 0);
	assert_int_equal(s.framebuffers, DRM_FB_OWNERS_MAX + 3);
	assert_int_equal(s.owners, DRM_FB_OWNERS_MAX);
	assert_int_equal(s.other, 3);
	assert_string_equal(s.owner[0].name, "p0_w__space");
}

static void state_scanout(void **state)
{
	static const struct { const char *file; uint64_t planes, fbcon; } cases[] = {
		{ "state-6.1-xorg", 1, 0 }, { "state-6.1-fbcon", 1, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *t = fixture(cases[i].file);
		uint64_t planes = 99, fbcon = 99;
		assert_int_equal(parse_drm_state_scanout(t, &planes, &fbcon), 0);
		assert_int_equal(planes, cases[i].planes);
		assert_int_equal(fbcon, cases[i].fbcon);
		free(t);
	}
	uint64_t planes, fbcon;
	assert_int_equal(parse_drm_state_scanout("", &planes, &fbcon), -EINVAL);
	assert_int_equal(parse_drm_state_scanout("crtc[33]: crtc-0\n\tenable=1\n", &planes, &fbcon), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gem_names_real),
		cmocka_unit_test(gem_names_empty_and_garbage),
		cmocka_unit_test(clients_all_formats),
		cmocka_unit_test(client_pids_all_formats),
		cmocka_unit_test(bufinfo_all_formats),
		cmocka_unit_test(meminfo_and_status),
		cmocka_unit_test(negative_and_overflowing_numbers_are_refused),
		cmocka_unit_test(batch_grows_and_rejects_long_names),
		cmocka_unit_test(framebuffers_per_owner),
		cmocka_unit_test(state_scanout),
	};
	return cmocka_run_group_tests_name("parsers", tests, NULL, NULL);
}
