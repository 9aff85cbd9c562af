/* The config parser: defaults, workload keys, and a FILE:LINE message for
 * every kind of mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config-caps.h"
#include "daemon/config.h"

static char path[64];

static int load(const char *text, struct gs_config *cfg, char **errs)
{
	snprintf(path, sizeof(path), "/tmp/gs-test-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	size_t len;
	FILE *f = open_memstream(errs, &len);
	int problems = config_load(path, cfg, f);
	fclose(f);
	unlink(path);
	return problems;
}

/* Load text that has exactly one problem, expected at `line`, whose
 * message contains `needle`. */
static void expect_problem(const char *text, int line, const char *needle)
{
	struct gs_config cfg;
	char *errs;
	int problems = load(text, &cfg, &errs);
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	if (problems != 1 || strncmp(errs, prefix, strlen(prefix)) != 0 || !strstr(errs, needle)) {
		print_error("config:\n%s\nexpected one problem '%s%s...', got %d:\n%s", text, prefix,
			    needle, problems, errs);
		fail();
	}
	free(errs);
	config_free(&cfg);
}

static void defaults_and_values(void **state)
{
	struct gs_config cfg;
	char *errs;
	int problems = load("# a comment\n"
			    "[daemon]\n"
			    "database = /tmp/x.db\n"
			    "\n"
			    "[workload flink-share]\n"
			    "producers = 3\n"
			    "size = 64K\n"
			    "duration = 2m\n"
			    "\n"
			    "[workload leaky]\n"
			    "type = canary\n"
			    "leak_every = 50\n",
			    &cfg, &errs);
	assert_int_equal(problems, 0);
	assert_string_equal(errs, "");
	assert_string_equal(cfg.device, "auto");
	assert_string_equal(cfg.database, "/tmp/x.db");
	assert_string_equal(cfg.debugfs, "/sys/kernel/debug");
	assert_int_equal(cfg.interval_ms, 10000);
	assert_int_equal(cfg.backoff_ms, 1000);
	assert_int_equal(cfg.backoff_max_ms, 60000);
	assert_int_equal(cfg.probe_ms, -1); /* the probe: auto, on with two workloads */
	assert_false(cfg.drop_caches);     /* intrusive: opt-in */
	assert_int_equal(cfg.nworkloads, 2);
	const struct wl_config *w = &cfg.workloads[0];
	assert_string_equal(w->name, "flink-share");
	assert_string_equal(w->type->name, "flink-share");
	assert_int_equal(w->line, 5);
	assert_int_equal(wl_get(w, "producers"), 3);
	assert_int_equal(wl_get(w, "consumers"), 2); /* default */
	assert_int_equal(wl_get(w, "size"), 65536);
	assert_int_equal(wl_get(w, "duration"), 120000);
	w = &cfg.workloads[1];
	assert_string_equal(w->name, "leaky");
	assert_string_equal(w->type->name, "canary");
	assert_int_equal(wl_get(w, "leak_every"), 50);
	assert_non_null(strstr(cfg.text, "leak_every = 50"));
	free(errs);
	config_free(&cfg);
}

static void problems_name_file_and_line(void **state)
{
	expect_problem("[daemon]\nbogus = 1\n", 2, "unknown key 'bogus' in [daemon]");
	expect_problem("[daemon]\ninterval = soon\n", 2, "interval: 'soon' is not a duration");
	expect_problem("[daemon]\nquiesce = maybe\n", 2, "quiesce: 'maybe' is not yes or no");
	expect_problem("[daemon]\ndrop_caches = 2\n", 2, "drop_caches: '2' is not yes or no");
	expect_problem("[daemon]\ninterval = 10ms\n", 2, "interval");
	expect_problem("[daemon]\n\n[workload x]\ntype = nosuch\n", 4, "unknown workload type 'nosuch'");
	expect_problem("[workload nosuch]\n", 1, "unknown workload type 'nosuch'");
	expect_problem("[workload flink-share]\nproducers = 0\n", 2, "producers: '0' is not an integer from 1");
	expect_problem("[workload flink-share]\nproducers = 2x\n", 2, "producers");
	expect_problem("[workload flink-share]\nsize = 4Q\n", 2, "size: '4Q' is not a size");
	expect_problem("[workload flink-share]\nleak_every = 5\n", 2, "unknown key 'leak_every' for workload type flink-share");
	expect_problem("[workload flink-share]\nconsumers = 1\nconsumers = 2\n", 3, "set twice");
	expect_problem("[workload flink-share]\n[workload flink-share]\n", 2, "defined twice");
	expect_problem("[workload bad/name]\ntype = canary\n", 1, "workload name");
	expect_problem("[server]\n", 1, "unknown section [server]");
	expect_problem("device = auto\n", 1, "outside any section");
	expect_problem("[daemon]\n\njust words\n", 3, "syntax error");
	expect_problem("[daemon]\n[daemon]\n", 2, "[daemon] appears twice");
	expect_problem("[daemon]\ndevice =\n", 2, "device: empty value");
	expect_problem("[daemon]\n\nuser = no-such-user-here\n", 3, "user 'no-such-user-here': no such user");
	expect_problem("[daemon]\nrestart_backoff = 1ms\n", 2, "restart_backoff: '1ms' is not a duration");
	expect_problem("[daemon]\nrestart_backoff = 2m\n", 2, "restart_backoff is longer than restart_backoff_max");
	expect_problem("[daemon]\nprobe = often\n", 2, "probe: 'often' is not auto, no, or a duration up to 1d");
	expect_problem("[daemon]\nprobe = 2d\n", 2, "probe: '2d' is not auto, no, or a duration up to 1d");
	/* a pause must hold samples of its own: 3 intervals at least */
	expect_problem("[daemon]\ninterval = 10s\n\nprobe = 20s\n", 4, "probe (20000 ms) is shorter than 3 intervals (30000 ms)");
}

static void user_is_looked_up(void **state)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[daemon]\nuser = root\n", &cfg, &errs), 0);
	assert_string_equal(cfg.user.name, "root");
	assert_int_equal(cfg.user.uid, 0);
	free(errs);
	config_free(&cfg);
	assert_int_equal(load("[daemon]\n", &cfg, &errs), 0);
	assert_string_equal(cfg.user.name, ""); /* default: workers keep the daemon's identity */
	free(errs);
	config_free(&cfg);
}

static void missing_file(void **state)
{
	struct gs_config cfg;
	char *errs;
	size_t len;
	FILE *f = open_memstream(&errs, &len);
	assert_int_equal(config_load("/nonexistent/gemsoak.conf", &cfg, f), 1);
	fclose(f);
	assert_non_null(strstr(errs, "/nonexistent/gemsoak.conf:0: cannot read config"));
	free(errs);
	config_free(&cfg);
}

static void capabilities_are_checked(void **state)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload canary]\n", &cfg, &errs), 0);
	free(errs);
	size_t len;
	FILE *f = open_memstream(&errs, &len);
	int problems = config_check_caps(&cfg, GS_CAP_GEM_CREATE, "/dev/dri/card0", "nogem", f);
	fclose(f);
	assert_int_equal(problems, 1);
	assert_non_null(strstr(errs, ":1: workload canary (canary) needs flink names"));
	free(errs);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_values),
		cmocka_unit_test(problems_name_file_and_line),
		cmocka_unit_test(user_is_looked_up),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(capabilities_are_checked),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
