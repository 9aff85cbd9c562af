/* The probe's verdict (analysis/probe.h): a leak that stops during one
 * workload's pauses is that workload's; one that goes on during every
 * pause is nobody's by the probe. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/probe.h"

#define NPTS 200

/* Pauses of 20 s, canary and flink-share in turn, 50 s apart. */
static const struct gs_pause pauses[] = {
	{ "canary", 20, 40 }, { "flink-share", 70, 90 }, { "canary", 120, 140 }, { "flink-share", 170, 190 },
};

static int in_pause_of(double s, const char *workload)
{
	for (size_t i = 0; i < 4; i++)
		if (s >= pauses[i].s0 && s <= pauses[i].s1 && strcmp(pauses[i].workload, workload) == 0)
			return 1;
	return 0;
}

/* A series sampled every second from t_first 1000 that grows by 1 a
 * second, except while `stopper` is paused (no workload: never). */
static void series(struct gs_point *p, const char *stopper)
{
	double v = 0;
	for (int j = 0; j < NPTS; j++) {
		double s = j;
		if (!stopper || !in_pause_of(s, stopper))
			v += 1;
		p[j] = (struct gs_point){ .t = 1000 + s, .lo = v, .hi = v, .mid = v, .cnt = 1 };
	}
}

static void probe_names_the_workload_whose_pauses_stop_the_leak(void **state)
{
	struct gs_point p[NPTS];
	series(p, "canary");
	const char *w = gs_probe_workload(p, NPTS, 1000, pauses, 4, 2.0 / 3600);
	series(p, NULL);
	const char *none = gs_probe_workload(p, NPTS, 1000, pauses, 4, 2.0 / 3600);
	printf("stopped by the canary's pauses: %s; growing through every pause: %s\n", w ? w : "none",
	       none ? none : "none");
	assert_non_null(w);
	assert_string_equal(w, "canary");
	assert_null(none);
	/* one workload's pauses alone name nobody: nothing to compare */
	series(p, "canary");
	assert_null(gs_probe_workload(p, NPTS, 1000, pauses, 1, 2.0 / 3600));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_names_the_workload_whose_pauses_stop_the_leak),
	};
	return cmocka_run_group_tests_name("analysis-probe", tests, NULL, NULL);
}
