/* daemon/probe-plan.c: the probe's periods alternate between all running
 * and one workload paused, the workloads in turn; and the [daemon] key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "daemon/probe-plan.h"

static void workloads_take_turns_between_baselines(void **state)
{
	/* two workloads: all, first, all, second, all, first, ... */
	const int two[] = { -1, 0, -1, 1, -1, 0, -1, 1 };
	for (uint64_t k = 0; k < sizeof(two) / sizeof(two[0]); k++)
		assert_int_equal(probe_plan_paused(k, 2), two[k]);
	/* three: each paused once every 6 periods */
	const int three[] = { -1, 0, -1, 1, -1, 2, -1, 0 };
	for (uint64_t k = 0; k < sizeof(three) / sizeof(three[0]); k++)
		assert_int_equal(probe_plan_paused(k, 3), three[k]);
	/* one: paused every other period; none: nothing to pause */
	assert_int_equal(probe_plan_paused(1, 1), 0);
	assert_int_equal(probe_plan_paused(2, 1), -1);
	assert_int_equal(probe_plan_paused(1, 0), -1);
	/* far into a run of weeks */
	assert_int_equal(probe_plan_paused(2000003, 2), 1);
}

/* probe = auto in the demo (5 s rounds, 2 minutes): pauses of 15 s, each
 * of two workloads paused twice; in a soak of a day the pauses grow to
 * 10 minutes, with 30 minutes of all running between them. */
static void auto_schedule_fits_the_demo_and_stretches(void **state)
{
	int64_t t = 0, paused[2] = { 0 }, pauses[2] = { 0 };
	uint64_t k = 0;
	for (; t < 120000; k++) {
		int64_t len = probe_plan_auto_ms(k, t, 5000);
		int w = probe_plan_paused(k, 2);
		if (w >= 0 && t + len <= 120000)
			paused[w] += len, pauses[w]++;
		t += len;
	}
	printf("demo: %llu periods in 2 min; canary paused %lld ms in %lld pauses, flink-share %lld ms in %lld\n",
	       (unsigned long long)k, (long long)paused[0], (long long)pauses[0], (long long)paused[1],
	       (long long)pauses[1]);
	assert_int_equal(probe_plan_auto_ms(0, 0, 5000), 15000);
	assert_int_equal(pauses[0], 2);
	assert_int_equal(pauses[1], 2);
	/* a day: the cycles each of two workloads loses */
	int64_t lost = 0;
	for (t = 0, k = 0; t < 86400000; k++) {
		int64_t len = probe_plan_auto_ms(k, t, 10000);
		lost += probe_plan_paused(k, 2) == 0 ? len : 0;
		t += len;
	}
	printf("a day at 10 s rounds: the first workload paused %.1f %% of the time\n", 100.0 * lost / t);
	assert_int_equal(probe_plan_auto_ms(1, 8 * 3600000LL, 10000), 600000);
	assert_int_equal(probe_plan_auto_ms(2, 8 * 3600000LL, 10000), 1800000);
	assert_true(lost < t / 7 && lost > t / 10);
	/* rounds so long that 3 of them exceed 10 minutes: 3 rounds */
	assert_int_equal(probe_plan_auto_ms(1, 8 * 3600000LL, 300000), 900000);
}

/* The [daemon] key's value in cfg.probe_ms, or -2 when refused. */
static int64_t probe_key(const char *value)
{
	char path[] = "/tmp/gs-probe-conf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char text[256];
	int n = snprintf(text, sizeof(text), "[daemon]\ninterval = 1s\n%s%s\n\n[workload flink-share]\n",
			 value ? "probe = " : "", value ? value : "");
	assert_int_equal(write(fd, text, (size_t)n), n);
	close(fd);
	struct gs_config cfg;
	FILE *errs = tmpfile();
	int64_t v = config_load(path, &cfg, errs) == 0 ? cfg.probe_ms : -2;
	if (v != -2 && value)
		assert_int_equal(cfg.probe_line, 3);
	config_free(&cfg);
	fclose(errs);
	unlink(path);
	return v;
}

static void key_is_read(void **state)
{
	assert_int_equal(probe_key("10m"), 600000);
	assert_int_equal(probe_key(NULL), -1); /* auto unless the config says */
	assert_int_equal(probe_key("auto"), -1);
	assert_int_equal(probe_key("yes"), -1);
	assert_int_equal(probe_key("no"), 0);
	assert_int_equal(probe_key("0"), 0);
	assert_int_equal(probe_key("sometimes"), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workloads_take_turns_between_baselines),
		cmocka_unit_test(auto_schedule_fits_the_demo_and_stretches),
		cmocka_unit_test(key_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
