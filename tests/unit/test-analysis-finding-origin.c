/* Where a finding's objects came from (analysis/finding-origin.h): the
 * origin picked for a finding from given origins, and its stack in
 * words. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/finding-origin.h"

/* The stacks as the origins source stores them (seed 000 on Debian's 6.1,
 * tests/integration/vm-origins.sh). */
static const char export_stack[] = "dma_buf_export+0x0\ndrm_gem_dmabuf_export+0x1e\n"
				   "drm_gem_prime_handle_to_fd+0x1b5\ndrm_ioctl_kernel+0xc6\ndrm_ioctl+0x238\n"
				   "__x64_sys_ioctl+0x8d\ndo_syscall_64+0x55\nentry_SYSCALL_64_after_hwframe+0x6e";
static const char dumb_stack[] = "drm_gem_object_init+0x0\n__drm_gem_shmem_create+0x84\n"
				 "drm_gem_shmem_dumb_create+0x37\ndrm_ioctl_kernel+0xc6\ndrm_ioctl+0x238\n"
				 "__x64_sys_ioctl+0x8d\ndo_syscall_64+0x55\nentry_SYSCALL_64_after_hwframe+0x6e";
static const char import_stack[] = "drm_gem_private_object_init+0x0\ndrm_gem_prime_import_dev+0x8a\n"
				   "drm_gem_prime_fd_to_handle+0x10e\ndrm_ioctl_kernel+0xc6\ndrm_ioctl+0x238\n"
				   "__x64_sys_ioctl+0x8d\ndo_syscall_64+0x55\nentry_SYSCALL_64_after_hwframe+0x6e";

static struct gs_finding finding(const char *workload, const char *holder, const char *metrics)
{
	struct gs_finding f = { .id = 1 };
	snprintf(f.workload, sizeof(f.workload), "%s", workload);
	snprintf(f.holder, sizeof(f.holder), "%s", holder);
	snprintf(f.metrics, sizeof(f.metrics), "%s", metrics);
	return f;
}

static void kind_of_a_finding_is_its_first_counted_object(void **state)
{
	(void)state;
	assert_string_equal(gs_origin_kind("gem.names_held"), "gem");
	assert_string_equal(gs_origin_kind("dmabuf.orphaned"), "dma-buf");
	assert_null(gs_origin_kind("dmabuf.bytes"));
	assert_null(gs_origin_kind("dmabuf.fences_unsignalled"));
	assert_null(gs_origin_kind("mem.shmem_kb"));
	assert_null(gs_origin_kind(NULL));
	assert_string_equal(gs_finding_origin_kind("mem.shmem_kb,dmabuf.objects,gem.names_held"), "dma-buf");
	assert_string_equal(gs_finding_origin_kind("gem.names_held,gem.flink_bytes"), "gem");
	/* both grow: the dma-bufs, which keep their GEM objects, are the cause */
	assert_string_equal(gs_finding_origin_kind("gem.names_held,dmabuf.bytes,dmabuf.objects,gem.flink_names"), "dma-buf");
	assert_null(gs_finding_origin_kind("mem.shmem_kb,mem.slab_kb"));
	assert_null(gs_finding_origin_kind(""));
}

/* No origins traced (the kernel model), or a finding of memory only:
 * no origin. */
static void no_rows_no_origin(void **state)
{
	(void)state;
	struct gs_finding f = finding("canary", "process", "gem.names_held");
	assert_int_equal(gs_pick_origin(&f, NULL, 0), -1);
	struct gs_origin o[] = { { "gem", "canary", "gs:canary", dumb_stack, 0, 40 } };
	struct gs_finding mem = finding("canary", "process", "mem.shmem_kb,mem.slab_kb");
	assert_int_equal(gs_pick_origin(&mem, o, 1), -1);
	/* Of the other kind only: none of the finding's objects were traced. */
	struct gs_finding dmabufs = finding("", "kernel", "dmabuf.objects");
	assert_int_equal(gs_pick_origin(&dmabufs, o, 1), -1);
}

/* A pool that stays the same size holds more objects than the leak, but
 * none of the growth: the leak's origin is picked; with the pool alone,
 * none. */
static void growth_beats_a_constant_baseline(void **state)
{
	(void)state;
	struct gs_finding f = finding("canary", "process", "gem.names_held,gem.flink_names");
	struct gs_origin o[] = {
		{ "gem", "canary", "gs:canary", import_stack, 500, 500 },
		{ "gem", "canary", "gs:canary", dumb_stack, 2, 300 },
	};
	char words[512];
	long i = gs_pick_origin(&f, o, 2);
	assert_int_equal(i, 1);
	printf("picked %ld, +%.0f: %s\n", i, o[i].alive - o[i].base,
	       gs_stack_words(words, sizeof(words), o[i].stack, 3));
	assert_int_equal(gs_pick_origin(&f, o, 1), -1);
	/* A group that shrank grew nothing either. */
	o[1].alive = 1;
	assert_int_equal(gs_pick_origin(&f, o, 2), -1);
	/* A NAN baseline (no row by then) counts as none alive. */
	o[1].base = NAN;
	assert_int_equal(gs_pick_origin(&f, o, 2), 1);
}

/* A process-held finding keeps to its workload's origins, however much
 * another workload made; a kernel-held one, or one without a workload,
 * takes whoever made the most. */
static void two_workloads(void **state)
{
	(void)state;
	struct gs_origin o[] = {
		{ "dma-buf", "prime-share", "gs:prime-share", export_stack, 0, 974 },
		{ "dma-buf", "canary", "gs:canary", export_stack, 1, 12 },
		{ "gem", "prime-share", "gs:prime-share", dumb_stack, 0, 930 },
	};
	struct gs_finding canary = finding("canary", "process", "dmabuf.held");
	assert_int_equal(gs_pick_origin(&canary, o, 3), 1);
	struct gs_finding kernel = finding("canary", "kernel", "dmabuf.objects,dmabuf.orphaned");
	assert_int_equal(gs_pick_origin(&kernel, o, 3), 0);
	struct gs_finding nobody = finding("", "", "dmabuf.objects");
	assert_int_equal(gs_pick_origin(&nobody, o, 3), 0);
	struct gs_finding gem = finding("prime-share", "process", "gem.flink_handles");
	assert_int_equal(gs_pick_origin(&gem, o, 3), 2);
	/* A workload that made none of that kind: no origin. */
	struct gs_finding other = finding("flink-share", "process", "gem.names_held");
	assert_int_equal(gs_pick_origin(&other, o, 3), -1);
}

/* The same growth: more alive at the end first, then by workload,
 * process name and stack, whatever the order given. */
static void ties(void **state)
{
	(void)state;
	struct gs_finding f = finding("", "kernel", "dmabuf.objects");
	struct gs_origin a[] = {
		{ "dma-buf", "prime-share", "gs:prime-share", export_stack, 0, 100 },
		{ "dma-buf", "canary", "gs:canary", export_stack, 10, 110 },
	};
	assert_int_equal(gs_pick_origin(&f, a, 2), 1);
	struct gs_origin b[] = { a[1], a[0] };
	assert_int_equal(gs_pick_origin(&f, b, 2), 0);
	struct gs_origin c[] = {
		{ "dma-buf", "self-import", "gs:self-import", export_stack, 0, 100 },
		{ "dma-buf", "prime-share", "gs:prime-share", import_stack, 0, 100 },
		{ "dma-buf", "prime-share", "gs:prime-share", export_stack, 0, 100 },
	};
	struct gs_origin d[] = { c[2], c[0], c[1] };
	long i = gs_pick_origin(&f, c, 3), j = gs_pick_origin(&f, d, 3);
	assert_int_equal(i, 2);
	assert_int_equal(j, 0);
	char words[512];
	printf("tie of three: %s at %s, whatever the order\n", c[i].workload,
	       gs_stack_words(words, sizeof(words), c[i].stack, 1));
}

static const char *const ran[] = { "canary", "flink-share", "prime-share" };

/* Who made the growth: a maker's stacks and processes summed, a pool
 * that shrank cancelling its other growth, makers that shrank left out
 * of the total; the origins name a workload that ran, with 10 objects
 * or more and 90 % of the growth or more, the growth at most twice what
 * the finding counted. */
static void share_of_the_growth(void **state)
{
	(void)state;
	struct gs_origin o[] = {
		{ "gem", "canary", "gs:canary", dumb_stack, 2, 60 },
		{ "gem", "flink-share", "gs:flink-share", dumb_stack, 4, 5 },
		{ "gem", "canary", "gs:canary", import_stack, NAN, 30 },
		{ "gem", "Xorg", "Xorg", dumb_stack, 50, 20 },
		{ "dma-buf", "prime-share", "gs:prime-share", export_stack, 0, 900 },
	};
	struct gs_origin_share s = gs_origin_share("gem", o, 5);
	printf("canary: +%.0f of +%.0f (%.1f %%)\n", s.growth, s.total, 100 * s.growth / s.total);
	assert_string_equal(s.maker, "canary");
	assert_true(s.growth == 88 && s.total == 89);
	assert_string_equal(gs_origin_workload(&s, ran, 3, 100), "canary");
	/* Not a workload that ran: named by nobody. */
	assert_null(gs_origin_workload(&s, ran + 1, 2, 100));
	/* Its pool shrank by as much as its leak grew: nothing of it. */
	o[2].base = 88;
	s = gs_origin_share("gem", o, 5);
	assert_string_equal(s.maker, "flink-share");
	assert_true(s.growth == 1 && s.total == 1);
	assert_null(gs_origin_workload(&s, ran, 3, 100)); /* 1 < 10 */
	/* 89.1 % of the growth: not nearly all; 90 %: it is. */
	struct gs_origin split[] = {
		{ "dma-buf", "prime-share", "gs:prime-share", export_stack, 0, 90 },
		{ "dma-buf", "canary", "gs:canary", export_stack, 0, 11 },
	};
	s = gs_origin_share("dma-buf", split, 2);
	assert_null(gs_origin_workload(&s, ran, 3, 100));
	split[1].alive = 10;
	s = gs_origin_share("dma-buf", split, 2);
	printf("prime-share: +%.0f of +%.0f\n", s.growth, s.total);
	assert_string_equal(gs_origin_workload(&s, ran, 3, 100), "prime-share");
	/* Fewer than 10, all of it: too few to name. */
	struct gs_origin few[] = { { "gem", "canary", "gs:canary", dumb_stack, 0, 9 } };
	s = gs_origin_share("gem", few, 1);
	assert_null(gs_origin_workload(&s, ran, 3, 100));
	few[0].alive = 10;
	s = gs_origin_share("gem", few, 1);
	assert_string_equal(gs_origin_workload(&s, ran, 3, 100), "canary");
	/* None of the kind, or none grew. */
	s = gs_origin_share("gem", NULL, 0);
	assert_null(s.maker);
	assert_null(gs_origin_workload(&s, ran, 3, 100));
	s = gs_origin_share(NULL, o, 5);
	assert_null(s.maker);
	/* Far more grew than the finding counted (another leak of that kind,
	 * seed 000's GEM objects beside the canary's names), or its rise
	 * unknown: nobody; as many, or fewer (not all traced): the maker. */
	few[0].alive = 930;
	s = gs_origin_share("gem", few, 1);
	assert_null(gs_origin_workload(&s, ran, 3, 25));
	assert_null(gs_origin_workload(&s, ran, 3, NAN));
	assert_null(gs_origin_workload(&s, ran, 3, 464));
	assert_string_equal(gs_origin_workload(&s, ran, 3, 465), "canary");
	assert_string_equal(gs_origin_workload(&s, ran, 3, 2000), "canary");
	/* Equal growths: the first by name, whatever the order. */
	struct gs_origin tie[] = {
		{ "gem", "flink-share", "gs:flink-share", dumb_stack, 0, 20 },
		{ "gem", "canary", "gs:canary", dumb_stack, 0, 20 },
	};
	s = gs_origin_share("gem", tie, 2);
	assert_string_equal(s.maker, "canary");
	assert_true(s.growth == 20 && s.total == 40);
}

/* The origin wins over the statistics, except over the probe's pauses
 * for a leak the kernel holds. */
static void origin_overrules_the_statistics(void **state)
{
	(void)state;
	struct gs_finding f = finding("flink-share", "process", "gem.flink_names");
	snprintf(f.attribution, sizeof(f.attribution), "regression");
	assert_true(gs_origin_overrules(&f, "canary"));
	snprintf(f.attribution, sizeof(f.attribution), "probe");
	assert_true(gs_origin_overrules(&f, "canary"));
	snprintf(f.holder, sizeof(f.holder), "kernel");
	assert_false(gs_origin_overrules(&f, "canary"));
	assert_true(gs_origin_overrules(&f, "flink-share")); /* they agree */
	snprintf(f.attribution, sizeof(f.attribution), "regression");
	assert_true(gs_origin_overrules(&f, "canary"));
	struct gs_finding nobody = finding("", "kernel", "dmabuf.objects");
	snprintf(nobody.attribution, sizeof(nobody.attribution), "ambiguous");
	assert_true(gs_origin_overrules(&nobody, "prime-share"));
	/* A rate per the workload's cycles from two rates. */
	assert_true(fabs(gs_per_kcycle_of_rates(454, 72000) - 6.3055556) < 1e-6);
	assert_true(isnan(gs_per_kcycle_of_rates(454, 0)));
	assert_true(isnan(gs_per_kcycle_of_rates(454, NAN)));
	assert_true(isnan(gs_per_kcycle_of_rates(NAN, 72000)));
}

static void stacks_in_words(void **state)
{
	(void)state;
	char buf[512];
	assert_string_equal(gs_stack_words(buf, sizeof(buf), export_stack, 0),
			    "dma_buf_export ← drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd ← drm_ioctl_kernel"
			    " ← drm_ioctl ← __x64_sys_ioctl");
	assert_string_equal(gs_stack_words(buf, sizeof(buf), export_stack, 3),
			    "dma_buf_export ← drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd ← drm_ioctl");
	/* Nothing skipped: the entry is the next frame. */
	assert_string_equal(gs_stack_words(buf, sizeof(buf), export_stack, 4),
			    "dma_buf_export ← drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd ← drm_ioctl_kernel"
			    " ← drm_ioctl");
	/* Fewer frames than the top; unnamed ones (no CAP_SYSLOG) kept whole. */
	assert_string_equal(gs_stack_words(buf, sizeof(buf), "vgem_gem_create+0x1\n0xffffffffc0a01234", 3),
			    "vgem_gem_create ← 0xffffffffc0a01234");
	assert_string_equal(gs_stack_words(buf, sizeof(buf), "", 3), "");
	/* Truncated to the buffer, still a string. */
	assert_int_equal(strlen(gs_stack_words(buf, 20, export_stack, 3)), 19);
	assert_string_equal(gs_stack_path(export_stack), "PRIME export");
	assert_string_equal(gs_stack_path(import_stack), "PRIME import");
	assert_string_equal(gs_stack_path(dumb_stack), "dumb-buffer creation");
	assert_null(gs_stack_path("vgem_gem_create+0x1"));
}

static void origin_in_a_sentence_and_a_line(void **state)
{
	(void)state;
	char buf[512];
	struct gs_origin dmabufs = { "dma-buf", "prime-share", "gs:prime-share", export_stack, 3, 974 };
	assert_string_equal(gs_origin_sentence(buf, sizeof(buf), &dmabufs),
			    "974 of the dma-bufs alive at the end were made by prime-share at dma_buf_export ←"
			    " drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd ← drm_ioctl (PRIME export)");
	printf("%s\n", buf);
	assert_string_equal(
		gs_origin_line(buf, sizeof(buf), &dmabufs, "prime-share"),
		"made at dma_buf_export ← drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd ← drm_ioctl");
	/* A finding that names no workload, or another: who made them. */
	assert_string_equal(gs_origin_line(buf, sizeof(buf), &dmabufs, ""),
			    "made by prime-share at dma_buf_export ← drm_gem_dmabuf_export ←"
			    " drm_gem_prime_handle_to_fd ← drm_ioctl");
	printf("%s\n", buf);
	struct gs_origin gem = { "gem", "Xorg", "Xorg", "vgem_gem_create+0x1", 0, 6 };
	assert_string_equal(gs_origin_sentence(buf, sizeof(buf), &gem),
			    "6 of the GEM objects alive at the end were made by Xorg at vgem_gem_create");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_of_a_finding_is_its_first_counted_object),
		cmocka_unit_test(no_rows_no_origin),
		cmocka_unit_test(growth_beats_a_constant_baseline),
		cmocka_unit_test(two_workloads),
		cmocka_unit_test(ties),
		cmocka_unit_test(share_of_the_growth),
		cmocka_unit_test(origin_overrules_the_statistics),
		cmocka_unit_test(stacks_in_words),
		cmocka_unit_test(origin_in_a_sentence_and_a_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
