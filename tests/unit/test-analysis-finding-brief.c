/* Findings in a few words (analysis/finding-brief.h): each kind of
 * finding's brief, and the cap of the progress line's part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/finding-brief.h"

static struct gs_finding finding(const char *workload, const char *holder, const char *lead, size_t nmetrics)
{
	struct gs_finding f = { .nmetrics = nmetrics };
	snprintf(f.workload, sizeof(f.workload), "%s", workload);
	snprintf(f.holder, sizeof(f.holder), "%s", holder);
	snprintf(f.lead_metric, sizeof(f.lead_metric), "%s", lead);
	return f;
}

static void each_kind_in_words(void **state)
{
	char b[GS_FINDING_TEXT];
	struct gs_finding f = finding("canary", "process", "gem.names_held", 5);
	assert_string_equal(gs_finding_brief(&f, b, sizeof(b)), "canary keeps GEM names (5 metrics)");
	f = finding("prime-share", "kernel", "dmabuf.objects", 7);
	assert_string_equal(gs_finding_brief(&f, b, sizeof(b)), "prime-share leaves dma-bufs in the kernel (7 metrics)");
	f = finding("prime-share", "mixed", "dmabuf.objects", 2);
	assert_string_equal(gs_finding_brief(&f, b, sizeof(b)), "prime-share leaks dma-bufs (2 metrics)");
	f = finding("", "", "dmabuf.objects", 1);
	assert_string_equal(gs_finding_brief(&f, b, sizeof(b)), "dma-bufs grow, no workload named (1 metric)");
	/* a metric of memory has no object: named as it is */
	f = finding("", "kernel", "mem.sunreclaim_kb", 1);
	assert_string_equal(gs_finding_brief(&f, b, sizeof(b)), "mem.sunreclaim_kb grows, no workload named (1 metric)");
	(void)state;
}

static void capped_for_a_terminal(void **state)
{
	char b[256];
	struct gs_finding f[3] = {
		finding("canary", "process", "gem.names_held", 5),
		finding("prime-share", "kernel", "dmabuf.objects", 7),
		finding("", "", "mem.sunreclaim_kb", 1),
	};
	assert_string_equal(gs_findings_brief(f, 0, GS_BRIEF_CAP, b, sizeof(b)), "");
	/* all three take 144 characters: the first fits, the others are counted */
	gs_findings_brief(f, 3, GS_BRIEF_CAP, b, sizeof(b));
	printf("3 findings in %d characters: %s (%zu)\n", GS_BRIEF_CAP, b, strlen(b));
	assert_string_equal(b, "canary keeps GEM names (5 metrics); +2 more");
	/* two fit in 100: the third is counted */
	gs_findings_brief(f, 3, 100, b, sizeof(b));
	assert_string_equal(b, "canary keeps GEM names (5 metrics); prime-share leaves dma-bufs in the kernel (7 metrics); +1 more");
	assert_true(strlen(b) <= 100);
	/* with room for all, all */
	gs_findings_brief(f, 3, 200, b, sizeof(b));
	assert_int_equal(strlen(b), 144);
	/* a first longer than the cap alone is cut, what follows counted */
	gs_findings_brief(&f[1], 2, 40, b, sizeof(b));
	printf("cut at 40: %s (%zu)\n", b, strlen(b));
	assert_string_equal(b, "prime-share leaves dma-bufs ...; +1 more");
	assert_true(strlen(b) <= 40);
	gs_findings_brief(&f[1], 1, 40, b, sizeof(b));
	assert_string_equal(b, "prime-share leaves dma-bufs in the ke...");
	/* the buffer smaller than the cap bounds it too */
	char small[20];
	gs_findings_brief(f, 3, GS_BRIEF_CAP, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_kind_in_words),
		cmocka_unit_test(capped_for_a_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
