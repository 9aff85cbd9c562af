/* The i915 debugfs parsers on fixtures of every format era
 * (tests/fixtures/i915_*), and the sources' skip on other drivers. */
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

static void objects_old_formats(void **state)
{
	static const struct {
		const char *file;
		uint64_t objects, bytes, gtt, clients, client_objects;
	} cases[] = {
		{ "i915_gem_objects-3.x", 1204, 310243328, 857, 3, 633 + 509 + 62 },
		{ "i915_gem_objects-3.4", 312, 98574336, 298, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *t = fixture(cases[i].file);
		struct i915_objects_stats s;
		assert_int_equal(parse_i915_gem_objects(t, &s), 0);
		assert_false(s.modern);
		assert_int_equal(s.objects, cases[i].objects);
		assert_int_equal(s.bytes, cases[i].bytes);
		assert_true(s.has_gtt);
		assert_int_equal(s.gtt_objects, cases[i].gtt);
		assert_int_equal(s.clients, cases[i].clients);
		assert_int_equal(s.client_objects, cases[i].client_objects);
		free(t);
	}
}

static void objects_modern_formats(void **state)
{
	static const struct {
		const char *file;
		uint64_t objects, free, bytes;
	} cases[] = {
		{ "i915_gem_objects-5.4", 742, 0, 392511488 },
		{ "i915_gem_objects-6.1", 1876, 12, 715128832 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *t = fixture(cases[i].file);
		struct i915_objects_stats s;
		assert_int_equal(parse_i915_gem_objects(t, &s), 0);
		assert_true(s.modern);
		assert_int_equal(s.objects, cases[i].objects);
		assert_int_equal(s.free_objects, cases[i].free);
		assert_int_equal(s.bytes, cases[i].bytes);
		assert_false(s.has_gtt);
		free(t);
	}
}

static void objects_rejects_other_text(void **state)
{
	struct i915_objects_stats s;
	assert_int_equal(parse_i915_gem_objects("", &s), -EINVAL);
	assert_int_equal(parse_i915_gem_objects("objects, 12 bytes\n", &s), -EINVAL);
	assert_int_equal(parse_i915_gem_objects("  name     size handles refcount\n", &s), -EINVAL);
	char *t = fixture("gem_names-6.1");
	assert_int_equal(parse_i915_gem_objects(t, &s), -EINVAL);
	free(t);
}

static void gtt_all_formats(void **state)
{
	static const struct {
		const char *file;
		uint64_t objects, bytes, vmas, ggtt, ppgtt, named, named_max;
	} cases[] = {
		{ "i915_gem_gtt-3.x", 3, 8364032, 3, 3, 0, 2, 1 },
		{ "i915_gem_gtt-4.x", 3, 8314880, 6, 2, 4, 2, 3 },
		{ "i915_gem_gtt-6.x", 3, 8364032, 4, 2, 2, 1, 2 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *t = fixture(cases[i].file);
		struct i915_gtt_stats s;
		assert_int_equal(parse_i915_gem_gtt(t, &s), 0);
		assert_int_equal(s.objects, cases[i].objects);
		assert_int_equal(s.bytes, cases[i].bytes);
		assert_int_equal(s.vmas, cases[i].vmas);
		assert_int_equal(s.vmas_ggtt, cases[i].ggtt);
		assert_int_equal(s.vmas_ppgtt, cases[i].ppgtt);
		assert_int_equal(s.named, cases[i].named);
		assert_int_equal(s.named_max_vmas, cases[i].named_max);
		free(t);
	}
}

static void gtt_name_probe_and_garbage(void **state)
{
	char *t = fixture("i915_gem_gtt-4.x");
	assert_true(i915_gtt_lists_name(t, 5));
	assert_true(i915_gtt_lists_name(t, 1));
	assert_false(i915_gtt_lists_name(t, 51)); /* not a prefix match */
	assert_false(i915_gtt_lists_name(t, 7));
	free(t);
	struct i915_gtt_stats s;
	assert_int_equal(parse_i915_gem_gtt("", &s), -EINVAL);
	assert_int_equal(parse_i915_gem_gtt("   ffff: (ppgtt offset: 0, size: 1)\n", &s), -EINVAL);
	assert_int_equal(parse_i915_gem_gtt("Total 0 objects, 0 bytes, 0 GTT size\n", &s), 0);
	assert_int_equal(s.vmas, 0);
}

static void slabinfo_all_names(void **state)
{
	uint64_t a = 0, t = 0;
	char *x = fixture("slabinfo-4.x");
	assert_int_equal(parse_slabinfo_cache(x, "i915_gem_vma", &a, &t), 0);
	assert_int_equal(a, 3412);
	assert_int_equal(t, 3575);
	assert_int_equal(parse_slabinfo_cache(x, "i915_vma", &a, &t), -ENOENT);
	assert_int_equal(parse_slabinfo_cache(x, "i915_gem_object", &a, &t), 0);
	assert_int_equal(a, 1204);
	free(x);
	x = fixture("slabinfo-6.1");
	assert_int_equal(parse_slabinfo_cache(x, "i915_vma", &a, &t), 0);
	assert_int_equal(a, 2210); /* not i915_vma_resource */
	assert_int_equal(parse_slabinfo_cache(x, "drm_i915_gem_object", &a, &t), 0);
	assert_int_equal(a, 1876);
	free(x);
	x = fixture("slabinfo-no-i915");
	assert_int_equal(parse_slabinfo_cache(x, "i915_vma", &a, &t), -ENOENT);
	free(x);
	assert_int_equal(parse_slabinfo_cache("i915_vma 1 2\n", "i915_vma", &a, &t), -EINVAL);
	assert_int_equal(parse_slabinfo_cache("slabinfo - version: 2.1\ni915_vma x\n", "i915_vma", &a, &t), -EINVAL);
}

static void context_status_formats(void **state)
{
	uint64_t n, closed;
	char *x = fixture("context_status-4.x");
	assert_int_equal(parse_i915_context_status(x, &n, &closed), 0);
	assert_int_equal(n, 4);
	assert_int_equal(closed, 1);
	free(x);
	x = fixture("context_status-3.4");
	assert_int_equal(parse_i915_context_status(x, &n, &closed), 0);
	assert_int_equal(n, 0);
	free(x);
	x = fixture("gem_names-6.1");
	assert_int_equal(parse_i915_context_status(x, &n, &closed), -EINVAL);
	free(x);
	/* Empty is no figure, not 0 contexts. */
	assert_int_equal(parse_i915_context_status("", &n, &closed), -ENODATA);
	assert_int_equal(parse_i915_context_status("\n\n", &n, &closed), -EINVAL);
}

static void fdinfo_memory_keys(void **state)
{
	struct drm_fdinfo f;
	char *x = fixture("fdinfo-6.8-i915");
	assert_int_equal(parse_drm_fdinfo(x, &f), 0);
	assert_int_equal(f.client_id, 41);
	assert_true(f.has_memory);
	assert_int_equal(f.total, 16384ull << 10);
	assert_int_equal(f.shared, 4ull << 20);
	assert_int_equal(f.resident, 12288ull << 10);
	free(x);
	x = fixture("fdinfo-6.1-vgem");
	assert_int_equal(parse_drm_fdinfo(x, &f), -ENOENT);
	free(x);
	assert_int_equal(parse_drm_fdinfo("drm-driver:\tvgem\n", &f), 0);
	assert_false(f.has_memory);
	assert_int_equal(parse_drm_fdinfo("drm-driver: i915\ndrm-total-x: 5 GiB\n", &f), 0);
	assert_false(f.has_memory); /* an unknown unit is not guessed */
	/* drm_show_memory_stats (6.5+), as the kernel model prints it:
	 * tab-separated, bytes below 1 KiB, then KiB, then MiB */
	assert_int_equal(parse_drm_fdinfo("drm-driver:\ti915\ndrm-client-id:\t7\n"
					  "drm-total-memory:\t160 KiB\ndrm-shared-memory:\t0\n"
					  "drm-active-memory:\t0\ndrm-resident-memory:\t3 MiB\n", &f), 0);
	assert_true(f.has_memory);
	assert_int_equal(f.client_id, 7);
	assert_int_equal(f.total, 160 << 10);
	assert_int_equal(f.shared, 0);
	assert_int_equal(f.resident, 3 << 20);
	/* 6.1's i915: client and engines, no memory keys */
	assert_int_equal(parse_drm_fdinfo("drm-driver:\ti915\ndrm-pdev:\t0000:00:02.0\ndrm-client-id:\t3\n"
					  "drm-engine-render:\t0 ns\n", &f), 0);
	assert_false(f.has_memory);
}

static void sources_skip_other_drivers(void **state)
{
	extern const struct source source_i915_objects, source_i915_gtt, source_i915_contexts;
	struct source_ctx ctx = { .debugfs = "/nonexistent", .procfs = "/proc", .card_minor = 0 };
	struct metric_batch b;
	batch_init(&b);
	char why[256] = "";
	assert_int_equal(source_i915_gtt.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(source_i915_objects.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(source_i915_contexts.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n, 0);
	ctx.i915 = true; /* on i915 a missing file is reported */
	assert_true(source_i915_gtt.collect(&ctx, &b, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "/nonexistent/dri/0/i915_gem_gtt"));
	batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(objects_old_formats),
		cmocka_unit_test(objects_modern_formats),
		cmocka_unit_test(objects_rejects_other_text),
		cmocka_unit_test(gtt_all_formats),
		cmocka_unit_test(gtt_name_probe_and_garbage),
		cmocka_unit_test(slabinfo_all_names),
		cmocka_unit_test(context_status_formats),
		cmocka_unit_test(fdinfo_memory_keys),
		cmocka_unit_test(sources_skip_other_drivers),
	};
	return cmocka_run_group_tests_name("i915 parsers", tests, NULL, NULL);
}
