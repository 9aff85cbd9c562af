/* daemon/leak-guard.c: the levels (auto from MemTotal) and the decisions
 * on a series of MemAvailable readings, with the [daemon] keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "daemon/leak-guard.h"

static void auto_levels_follow_memtotal(void **state)
{
	struct leak_guard g;
	leak_guard_init(&g, -1, -1, 1536 * 1024);  /* the 1.5 GB guest */
	assert_int_equal(g.floor_kb, 96 * 1024);
	assert_int_equal(g.resume_kb, 192 * 1024);
	leak_guard_init(&g, -1, -1, 128 * 1024);   /* small: at least 32 MiB */
	assert_int_equal(g.floor_kb, LEAK_GUARD_MIN_FLOOR_KB);
	leak_guard_init(&g, -1, -1, 256LL * 1024 * 1024);  /* large: at most 512 MiB */
	assert_int_equal(g.floor_kb, LEAK_GUARD_MAX_FLOOR_KB);
	leak_guard_init(&g, 0, -1, 1024 * 1024);  /* 0: off */
	assert_int_equal(leak_guard_decide(&g, 1, 0), LEAK_GUARD_NONE);
}

/* The 512 MB guest on seed 000's kernel at the OOM kill: 4 MB free, but
 * 122 MB of "reclaimable" slab, the leaked dma-bufs' pinned dentries and
 * inodes, kept MemAvailable above a 96 MB floor. */
static void usable_memory_leaves_reclaimable_slab_out(void **state)
{
	assert_int_equal(leak_guard_usable_kb("MemTotal: 468156 kB\nMemFree: 4340 kB\n"
					      "MemAvailable: 123100 kB\nSReclaimable: 125576 kB\n"), 0);
	assert_int_equal(leak_guard_usable_kb("MemTotal: 4000000 kB\nMemAvailable: 3000000 kB\n"
					      "SReclaimable: 200000 kB\n"), 2800000);
	/* no SReclaimable line (a test's meminfo): MemAvailable as it is */
	assert_int_equal(leak_guard_usable_kb("MemTotal: 4000000 kB\nMemAvailable: 50000 kB\n"), 50000);
	assert_int_equal(leak_guard_usable_kb("MemTotal: 4000000 kB\n"), -1);
	assert_int_equal(leak_guard_usable_kb(NULL), -1);
}

static void stops_below_the_floor_and_resumes_above_resume(void **state)
{
	struct leak_guard g;
	leak_guard_init(&g, 100000, 200000, 0);
	static const struct { int64_t avail; enum leak_guard_action want; } steps[] = {
		{ 500000, LEAK_GUARD_NONE },  { 100000, LEAK_GUARD_NONE },  /* at the floor: not below */
		{ 99999, LEAK_GUARD_STOP },   { 50000, LEAK_GUARD_NONE },   /* stopped once */
		{ 150000, LEAK_GUARD_NONE },  /* between the levels: still stopped */
		{ -1, LEAK_GUARD_NONE },      /* no reading: nothing changes */
		{ 200000, LEAK_GUARD_RESUME }, { 150000, LEAK_GUARD_NONE }, /* no flapping */
		{ 90000, LEAK_GUARD_STOP },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum leak_guard_action a = leak_guard_decide(&g, steps[i].avail, (double)i);
		if (a != steps[i].want)
			fail_msg("step %zu (MemAvailable %lld): action %d, expected %d", i,
				 (long long)steps[i].avail, a, steps[i].want);
	}
	assert_int_equal(g.trips, 2);
	assert_true(g.stopped);
	assert_true(g.stopped_at == 8.0);
}

static int load(const char *text, struct gs_config *cfg, char *errs, size_t len)
{
	char path[] = "/tmp/gs-guard-conf-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	FILE *e = fmemopen(errs, len, "w");
	int n = config_load(path, cfg, e);
	fclose(e);
	remove(path);
	return n;
}

static void daemon_keys(void **state)
{
	struct gs_config cfg;
	char errs[1024] = "";
	assert_int_equal(load("[daemon]\n", &cfg, errs, sizeof(errs)), 0);
	assert_int_equal(cfg.memory_floor_kb, -1);
	assert_string_equal(cfg.meminfo, "/proc/meminfo");
	config_free(&cfg);
	assert_int_equal(load("[daemon]\nmemory_floor = 256M\nmemory_resume = 1G\nmeminfo = /tmp/m\n", &cfg,
			      errs, sizeof(errs)), 0);
	assert_int_equal(cfg.memory_floor_kb, 256 * 1024);
	assert_int_equal(cfg.memory_resume_kb, 1024 * 1024);
	assert_string_equal(cfg.meminfo, "/tmp/m");
	config_free(&cfg);
	assert_int_equal(load("[daemon]\nmemory_floor = 0\n", &cfg, errs, sizeof(errs)), 0);
	assert_int_equal(cfg.memory_floor_kb, 0);
	config_free(&cfg);
	memset(errs, 0, sizeof(errs));
	assert_int_equal(load("[daemon]\nmemory_floor = lots\n", &cfg, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, ":2: memory_floor: 'lots' is not a size"));
	config_free(&cfg);
	memset(errs, 0, sizeof(errs));
	assert_int_equal(load("[daemon]\nmemory_floor = 1G\nmemory_resume = 512M\n", &cfg, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "memory_resume must be above memory_floor"));
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(auto_levels_follow_memtotal),
		cmocka_unit_test(usable_memory_leaves_reclaimable_slab_out),
		cmocka_unit_test(stops_below_the_floor_and_resumes_above_resume),
		cmocka_unit_test(daemon_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
