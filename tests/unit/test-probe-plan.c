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

static void key_is_read(void **state)
{
	char path[] = "/tmp/gs-probe-conf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "[daemon]\ninterval = 1s\nprobe = 10m\n\n[workload flink-share]\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct gs_config cfg;
	FILE *errs = tmpfile();
	assert_int_equal(config_load(path, &cfg, errs), 0);
	assert_int_equal(cfg.probe_ms, 600000);
	assert_int_equal(cfg.probe_line, 3);
	config_free(&cfg);
	fclose(errs);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workloads_take_turns_between_baselines),
		cmocka_unit_test(key_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
