/* Findings (analysis/findings.h): the leaking metrics grouped into one
 * finding per cause, and quantities in words (analysis/units.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/findings.h"
#include "analysis/units.h"

static const struct gs_findings_params params = { .onset_tol_s = 20, .min_corr = 0.9, .nworkloads = 2 };

/* A leak of metric rising linearly from onset (seconds, over a run of
 * 160 s) at per_hour; attributed to workload when it is not NULL. */
static struct gs_leak leak(const char *metric, const char *unit, const char *workload, double per_kcycle,
			   double per_hour, double onset)
{
	struct gs_leak l = {
		.metric = metric, .unit = unit, .workload = workload, .holder = "process",
		.attribution = workload ? "probe" : "ambiguous", .per_kcycle_workload = workload ? per_kcycle : NAN,
		.per_kcycle = per_kcycle / 3, .per_hour = per_hour, .confidence = 0.9999, .onset = onset,
	};
	for (int i = 0; i < GS_LEVELS; i++) {
		double t = 160.0 * i / (GS_LEVELS - 1);
		l.level[i] = 100 + (t > onset ? (t - onset) * per_hour / 3600 : 0);
	}
	return l;
}

/* The demo's leak: the canary's metrics, three attributed to it, one
 * (mem.shmem_kb) attributed to nobody but rising with them: one
 * finding, led by gem.names_held, at the canary's own 5.0 per 1000. */
static void one_finding_per_workload(void **state)
{
	struct gs_leak l[] = {
		leak("gem.flink_names", "count", "canary", 4.9, 2700, 10),
		leak("gem.names_held", "count", "canary", 5.0, 2750, 10),
		leak("gem.names_held_bytes", "bytes", "canary", 20480, 11264000, 10),
		leak("mem.shmem_kb", "kB", NULL, 20, 11000, 15),
	};
	struct gs_finding f[4];
	size_t n = gs_findings(l, 4, &params, f);
	printf("%zu finding(s); 1: %s, %s, %.1f per 1000 of its cycles, metrics %s\n  %s\n  next: %s\n", n,
	       f[0].workload, f[0].lead_metric, f[0].per_kcycle, f[0].metrics, f[0].summary, f[0].next);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].id, 1);
	assert_string_equal(f[0].workload, "canary");
	assert_string_equal(f[0].lead_metric, "gem.names_held");
	assert_true(fabs(f[0].per_kcycle - 5.0) < 1e-9);
	assert_int_equal(f[0].nmetrics, 4);
	assert_string_equal(f[0].metrics, "gem.names_held,gem.flink_names,gem.names_held_bytes,mem.shmem_kb");
	assert_string_equal(f[0].summary, "the canary keeps 1 GEM name per 200 of its cycles (held by its process)");
	assert_non_null(strstr(f[0].next, "leak_every"));
	assert_non_null(strstr(f[0].next, "gemsoak report"));
	assert_true(fabs(f[0].onset - 10) < 1e-9);
}

/* Without a workload: the same onset and proportional floors are one
 * cause; a leak starting 60 s later, or a floor of another shape, is
 * another. */
static void same_onset_and_proportional_floors(void **state)
{
	struct gs_leak l[] = {
		leak("gem.flink_names", "count", NULL, 1.5, 2700, 10),
		leak("mem.shmem_kb", "kB", NULL, 6, 11000, 12),
		leak("dmabuf.objects", "count", NULL, 1, 900, 80),
		leak("slab.filp", "count", NULL, 1, 900, 14),
	};
	/* slab.filp: the same onset, but it rises in a step, not a line */
	for (int i = 0; i < GS_LEVELS; i++)
		l[3].level[i] = i < 3 ? 100 : i < 4 ? 200 : 210;
	struct gs_finding f[4];
	size_t n = gs_findings(l, 4, &params, f);
	printf("%zu findings:", n);
	for (size_t i = 0; i < n; i++)
		printf(" [%s from %.0f s]", f[i].metrics, f[i].onset);
	printf("\n  1: %s\n", f[0].summary);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].metrics, "gem.flink_names,mem.shmem_kb");
	assert_string_equal(f[1].metrics, "slab.filp");
	assert_string_equal(f[2].metrics, "dmabuf.objects");
	assert_string_equal(f[0].workload, "");
	assert_true(isnan(f[0].per_kcycle));
	assert_non_null(strstr(f[0].summary, "no workload named: the workloads' cycles rose in a fixed ratio"));
	assert_null(strstr(f[0].summary, "e+"));
	/* with the probe run, the reason is the pauses' */
	struct gs_findings_params probed = params;
	probed.probed = 1;
	n = gs_findings(l, 2, &probed, f);
	assert_int_equal(n, 1);
	assert_non_null(strstr(f[0].summary, "the probe's pauses did not separate the workloads"));
	/* nothing leaking: no finding */
	assert_int_equal(gs_findings(l, 0, &params, f), 0);
}

/* Two workloads, two causes: two findings; a kernel-held dma-buf leak
 * is worded as the PRIME path's, with the kernel check next. */
static void two_workloads_and_a_kernel_held_prime_leak(void **state)
{
	struct gs_leak l[] = {
		leak("gem.names_held", "count", "canary", 2.5, 1000, 0),
		leak("dmabuf.objects", "count", "prime-share", 2000, 7.2e6, 0),
		leak("dmabuf.bytes", "bytes", "prime-share", 8.192e6, 2.9e10, 0),
	};
	l[1].holder = l[2].holder = "kernel";
	struct gs_finding f[3];
	size_t n = gs_findings(l, 3, &params, f);
	for (size_t i = 0; i < n; i++)
		printf("%d: %s [%s] %s\n   next: %s\n", f[i].id, f[i].workload, f[i].metrics, f[i].summary, f[i].next);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].lead_metric, "dmabuf.objects");
	assert_string_equal(f[0].metrics, "dmabuf.objects,dmabuf.bytes");
	assert_string_equal(f[0].summary, "dma-bufs outlive every process that held them: PRIME export/import path"
					  " (the prime-share leaves 2 dma-bufs per cycle)");
	assert_non_null(strstr(f[0].next, "gemsoak kernel check --running"));
	assert_string_equal(f[1].summary, "the canary keeps 1 GEM name per 400 of its cycles (held by its process)");
	assert_null(strstr(f[1].next, "kernel check"));
}

/* Rates in KiB/MiB/GiB and k/M, never with an exponent. */
static void quantities_in_words(void **state)
{
	static const struct {
		double v;
		const char *unit, *want;
	} cases[] = {
		{ 3.308e6, "bytes", "+3.15 MiB/h" }, { 11299335, "bytes", "+10.8 MiB/h" }, { 512, "bytes", "+512 bytes/h" },
		{ 13288, "kB", "+13 MiB/h" }, { 2759, "count", "+2.76k/h" }, { 2.5e6, "count", "+2.5M/h" },
		{ 41, "count", "+41/h" }, { 0.25, "count", "+0.25/h" }, { 0, "count", "0/h" }, { -1536, "bytes", "-1.5 KiB/h" },
		{ 999.9, "count", "+1k/h" }, { 5e12, "bytes", "+4.55 TiB/h" }, { NAN, "count", "-" },
	};
	char buf[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gs_rate_per_hour(buf, sizeof(buf), cases[i].v, cases[i].unit);
		printf("%g %s per hour: %s\n", cases[i].v, cases[i].unit, buf);
		assert_string_equal(buf, cases[i].want);
		assert_null(strstr(buf, "e+"));
	}
	assert_string_equal(gs_count(buf, sizeof(buf), 10000), "10k");
	assert_string_equal(gs_count(buf, sizeof(buf), 200), "200");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_finding_per_workload),
		cmocka_unit_test(same_onset_and_proportional_floors),
		cmocka_unit_test(two_workloads_and_a_kernel_held_prime_leak),
		cmocka_unit_test(quantities_in_words),
	};
	return cmocka_run_group_tests_name("analysis-findings", tests, NULL, NULL);
}
