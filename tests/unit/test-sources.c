/* Collection through the sources' own seams: the workload counters read
 * only the workers view the sampler fills (no supervisor), and a source
 * that is one debugfs file names the file and the format it expected. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sources/sources.h"
#include "tests/unit/fixture.h"
#include "sources/workers.h"

extern const struct source source_workloads, source_drm_clients, source_drm_framebuffers, source_slabinfo,
	source_drop_caches;

/* The value of metric name in b, asserting it is there with unit. */
static double metric(const struct metric_batch *b, const char *name, const char *unit)
{
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(b->v[i].name, name) == 0) {
			assert_string_equal(b->v[i].unit, unit);
			return b->v[i].value;
		}
	}
	fail_msg("no metric %s among %zu", name, b->n);
	return 0;
}

static void workload_counters_from_the_view(void **state)
{
	(void)state;
	struct workload_sample *ws = calloc(1, sizeof(*ws));
	assert_non_null(ws);
	ws->name = "w";
	ws->cycles = 1234;
	ws->ngauges = 2;
	ws->gauge_name[0] = "queued";
	ws->gauge[0] = 7;
	ws->gauge_name[1] = "cycle_ms";
	ws->gauge[1] = 40;
	ws->errors[GS_IOC_CLOSE][EINVAL] = 3;
	ws->errors[GS_IOC_FLINK][GS_ERRNO_SLOTS - 1] = 2;
	ws->errors[GS_IOC_OPEN][0] = 9; /* slot 0 is no errno: never a metric */
	struct workers_view view = { .wl = ws, .n = 1, .cap = 1 };
	struct source_ctx ctx = { .debugfs = "/nonexistent", .procfs = "/proc", .card_minor = -1, .workers = &view };
	struct metric_batch b;
	batch_init(&b);
	char why[256] = "";
	assert_int_equal(source_workloads.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n, 5);
	assert_true(metric(&b, "workload.w.cycles", "cycles") == 1234);
	assert_true(metric(&b, "workload.w.queued", "count") == 7);
	assert_true(metric(&b, "workload.w.cycle_ms", "ms") == 40);
	assert_true(metric(&b, "workload.w.errors.GEM_CLOSE.EINVAL", "count") == 3);
	assert_true(metric(&b, "workload.w.errors.GEM_FLINK.Eother", "count") == 2);
	/* Outside the daemon there is no view: nothing to count. */
	batch_reset(&b);
	ctx.workers = NULL;
	assert_int_equal(source_workloads.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n, 0);
	batch_free(&b);
	free(ws);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A debugfs of one card in a new directory dir (a mkdtemp template):
 * sub gets dir/dri/0. */
static void make_dri_dir(char *dir, char *sub, size_t len)
{
	assert_non_null(mkdtemp(dir));
	snprintf(sub, len, "%s/dri", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, len, "%s/dri/0", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
}

/* Remove what make_dri_dir made (its files removed first). */
static void remove_dri_dir(const char *dir, char *sub, size_t len)
{
	kept_files_close();
	rmdir(sub);
	snprintf(sub, len, "%s/dri", dir);
	rmdir(sub);
	rmdir(dir);
}

static void text_source_names_file_and_format(void **state)
{
	(void)state;
	char dir[] = "/tmp/gs-sources-XXXXXX", sub[64], path[96];
	make_dri_dir(dir, sub, sizeof(sub));
	snprintf(path, sizeof(path), "%s/clients", sub);
	struct source_ctx ctx = { .debugfs = dir, .procfs = "/proc", .card_minor = 0 };
	struct metric_batch b;
	batch_init(&b);
	char why[256] = "", expect[160];

	write_text(path, "no header here\n");
	assert_int_equal(source_drm_clients.collect(&ctx, &b, why, sizeof(why)), -EINVAL);
	snprintf(expect, sizeof(expect), "%s: unrecognised format", path);
	assert_string_equal(why, expect);
	assert_int_equal(b.n, 0);

	write_text(path, "  command   pid dev master a   uid      magic\n"
			 "     Xorg  1234   0   y    y     0          0\n");
	assert_int_equal(source_drm_clients.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_true(metric(&b, "drm.clients", "count") == 1);

	unlink(path);
	why[0] = '\0';
	assert_int_equal(source_drm_clients.collect(&ctx, &b, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, path));

	/* No framebuffer file (no KMS): nothing to count, and no failure. */
	batch_reset(&b);
	assert_int_equal(source_drm_framebuffers.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n, 0);
	char fb[96], st[96];
	snprintf(fb, sizeof(fb), "%s/framebuffer", sub);
	snprintf(st, sizeof(st), "%s/state", sub);
	char *t = fixture("framebuffer-6.1-xorg");
	write_text(fb, t);
	free(t);
	assert_int_equal(source_drm_framebuffers.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_true(metric(&b, "drm.framebuffers", "count") == 2);
	assert_true(metric(&b, "drm.framebuffers.by.Xorg", "count") == 1);
	size_t without_state = b.n;
	t = fixture("state-6.1-xorg");
	write_text(st, t);
	free(t);
	batch_reset(&b);
	assert_int_equal(source_drm_framebuffers.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n, without_state + 2);
	assert_true(metric(&b, "drm.scanout.planes", "count") == 1);
	assert_true(metric(&b, "drm.scanout.fbcon", "count") == 0);
	write_text(fb, "  name     size handles refcount\n");
	assert_int_equal(source_drm_framebuffers.collect(&ctx, &b, why, sizeof(why)), -EINVAL);
	snprintf(expect, sizeof(expect), "%s: unrecognised format", fb);
	assert_string_equal(why, expect);
	unlink(fb);
	unlink(st);
	batch_free(&b);
	remove_dri_dir(dir, sub, sizeof(sub));
}

/* More owners than the per-owner series hold, one of them a process
 * called "other": each name comes once in the round (the store's key is
 * metric and tick, so a name twice refused the whole round), and the
 * owners' series add up to the framebuffers. */
static void framebuffer_owners_one_name_each(void **state)
{
	(void)state;
	char dir[] = "/tmp/gs-sources-XXXXXX", sub[64], fb[96];
	make_dri_dir(dir, sub, sizeof(sub));
	snprintf(fb, sizeof(fb), "%s/framebuffer", sub);
	char text[8192] = "framebuffer[39]:\n\tallocated by = other\n";
	size_t used = strlen(text);
	for (int i = 0; i < DRM_FB_OWNERS_MAX + 4; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "framebuffer[%d]:\n\tallocated by = proc%d\n", 40 + i, i);
	write_text(fb, text);
	struct source_ctx ctx = { .debugfs = dir, .procfs = "/proc", .card_minor = 0 };
	struct metric_batch b;
	batch_init(&b);
	char why[256] = "";
	assert_int_equal(source_drm_framebuffers.collect(&ctx, &b, why, sizeof(why)), 0);
	double owned = 0;
	int twice = 0;
	for (size_t i = 0; i < b.n; i++) {
		for (size_t j = i + 1; j < b.n; j++)
			twice += strcmp(b.v[i].name, b.v[j].name) == 0;
		if (strncmp(b.v[i].name, "drm.framebuffers.by.", 20) == 0)
			owned += b.v[i].value;
	}
	print_message("%zu values, %d name(s) twice, owners sum %.0f of %.0f framebuffers\n", b.n, twice,
		      owned, metric(&b, "drm.framebuffers", "count"));
	assert_int_equal(twice, 0);
	assert_true(owned == metric(&b, "drm.framebuffers", "count"));
	assert_true(metric(&b, "drm.framebuffers.by.other", "count") >= 2);
	batch_free(&b);
	unlink(fb);
	remove_dri_dir(dir, sub, sizeof(sub));
}

/* The DRM caches by name on every driver (Debian 6.1 with vgem, read in
 * the VM with slab_nomerge), i915's own only on i915, and a file without
 * any of them said, naming it. */
static void slab_caches_by_name(void **state)
{
	char dir[] = "/tmp/gs-slab-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/slabinfo", dir);
	char *t = fixture("slabinfo-6.1-vgem");
	write_text(path, t);
	free(t);
	struct source_ctx ctx = { .debugfs = "/nonexistent", .procfs = dir, .card_minor = 0 };
	struct metric_batch b;
	batch_init(&b);
	char why[256] = "";
	assert_int_equal(source_slabinfo.collect(&ctx, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n, 3);
	print_message("    vgem: %.0f shmem inodes, %.0f files, %.0f inodes\n",
		      metric(&b, "slab.shmem_inode_cache", "count"), metric(&b, "slab.filp", "count"),
		      metric(&b, "slab.inode_cache", "count"));
	assert_true(metric(&b, "slab.shmem_inode_cache", "count") == 616);
	assert_true(metric(&b, "slab.filp", "count") == 356);
	assert_true(metric(&b, "slab.inode_cache", "count") == 11820);
	/* On i915 its own caches must be there too. */
	ctx.i915 = true;
	batch_reset(&b);
	assert_int_equal(source_slabinfo.collect(&ctx, &b, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no i915 VMA or object cache"));
	/* None of the DRM caches: said, naming the file. */
	ctx.i915 = false;
	write_text(path, "slabinfo - version: 2.1\nkmalloc-64 10 20 64 64 1 : tunables 0 0 0 : slabdata 1 1 0\n");
	batch_reset(&b);
	assert_int_equal(source_slabinfo.collect(&ctx, &b, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "no shmem_inode_cache, filp or inode_cache"));
	batch_free(&b);
	unlink(path);
	rmdir(dir);
}

/* drop_caches = yes writes 2 (slab) to PROCFS/sys/vm/drop_caches before the
 * other sources; off, it touches nothing; a file it cannot write is said,
 * naming it. */
static void drop_caches_writes_two(void **state)
{
	char dir[] = "/tmp/gs-drop-XXXXXX", sys[64], vm[80], path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(vm, sizeof(vm), "%s/vm", sys);
	snprintf(path, sizeof(path), "%s/drop_caches", vm);
	assert_int_equal(mkdir(sys, 0700), 0);
	assert_int_equal(mkdir(vm, 0700), 0);
	write_text(path, "");
	struct source_ctx ctx = { .debugfs = "/nonexistent", .procfs = dir, .card_minor = 0 };
	struct metric_batch b;
	batch_init(&b);
	char why[256] = "";
	assert_int_equal(source_drop_caches.collect(&ctx, &b, why, sizeof(why)), 0);
	char *t = read_text_file(path, NULL);
	assert_string_equal(t, "");
	free(t);
	ctx.drop_caches = true;
	assert_int_equal(source_drop_caches.collect(&ctx, &b, why, sizeof(why)), 0);
	t = read_text_file(path, NULL);
	assert_string_equal(t, "2");
	free(t);
	assert_int_equal(b.n, 0); /* no metric of its own */
	unlink(path);
	assert_int_equal(source_drop_caches.collect(&ctx, &b, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, path));
	batch_free(&b);
	rmdir(vm);
	rmdir(sys);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workload_counters_from_the_view),
		cmocka_unit_test(text_source_names_file_and_format),
		cmocka_unit_test(framebuffer_owners_one_name_each),
		cmocka_unit_test(slab_caches_by_name),
		cmocka_unit_test(drop_caches_writes_two),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
