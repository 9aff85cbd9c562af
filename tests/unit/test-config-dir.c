/* Drop-ins: DIR/conf.d/NAME.conf after the main file, in name order;
 * a workload in one file only; every message names the file it is about. */
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

#include "common/config-files.h"
#include "daemon/config.h"

static char dir[64], main_conf[128];

static void put(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/gs-test-confd-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(main_conf, sizeof(main_conf), "%s/gemsoak.conf", dir);
	char d[128];
	snprintf(d, sizeof(d), "%s/conf.d", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	put("gemsoak.conf", "[daemon]\ninterval = 2s\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int load(struct gs_config *cfg, char **errs)
{
	size_t len;
	FILE *f = open_memstream(errs, &len);
	int problems = config_load_dir(main_conf, cfg, f);
	fclose(f);
	return problems;
}

static void dropins_in_name_order(void **state)
{
	put("conf.d/20-canary.conf", "[workload leaky]\ntype = canary\nleak_every = 7\n");
	put("conf.d/10-clean.conf", "[workload clean]\ntype = flink-share\nproducers = 3\n");
	put("conf.d/.hidden.conf", "this is not read\n");
	put("conf.d/notes.txt", "nor is this\n");
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load(&cfg, &errs), 0);
	assert_string_equal(errs, "");
	assert_int_equal(cfg.interval_ms, 2000);
	assert_int_equal(cfg.nworkloads, 2);
	assert_string_equal(cfg.workloads[0].name, "clean");
	assert_int_equal(wl_get(&cfg.workloads[0], "producers"), 3);
	assert_non_null(strstr(cfg.workloads[0].file, "conf.d/10-clean.conf"));
	assert_int_equal(cfg.workloads[0].line, 1);
	assert_string_equal(cfg.workloads[1].name, "leaky");
	assert_non_null(strstr(cfg.workloads[1].file, "conf.d/20-canary.conf"));
	assert_string_equal(cfg.path, main_conf);
	/* The run record holds every file's text. */
	assert_non_null(strstr(cfg.text, "interval = 2s"));
	assert_non_null(strstr(cfg.text, "leak_every = 7"));
	assert_null(strstr(cfg.text, "not read"));
	free(errs);
	config_free(&cfg);
}

static void no_dropin_directory(void **state)
{
	char d[128];
	snprintf(d, sizeof(d), "%s/conf.d", dir);
	assert_int_equal(rmdir(d), 0);
	put("gemsoak.conf", "[workload flink-share]\n");
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load(&cfg, &errs), 0);
	assert_int_equal(cfg.nworkloads, 1);
	free(errs);
	config_free(&cfg);
}

/* Exactly one problem, whose message starts with FILE:LINE: (FILE under
 * dir) and contains needle. */
static void expect_one(const char *file, int line, const char *needle)
{
	struct gs_config cfg;
	char *errs;
	int problems = load(&cfg, &errs);
	char prefix[256];
	snprintf(prefix, sizeof(prefix), "%s/%s:%d: ", dir, file, line);
	if (problems != 1 || strncmp(errs, prefix, strlen(prefix)) != 0 || !strstr(errs, needle)) {
		print_error("expected one problem '%s...%s', got %d:\n%s", prefix, needle, problems, errs);
		fail();
	}
	free(errs);
	config_free(&cfg);
}

static void workload_in_two_files(void **state)
{
	put("gemsoak.conf", "[daemon]\n\n[workload a]\ntype = canary\n");
	put("conf.d/10-a.conf", "# again\n[workload a]\ntype = flink-share\n");
	char other[320];
	snprintf(other, sizeof(other), "already defined at %s:3", main_conf);
	expect_one("conf.d/10-a.conf", 2, other);
}

static void daemon_in_two_files(void **state)
{
	put("conf.d/50-d.conf", "[daemon]\ninterval = 5s\n");
	char other[320];
	snprintf(other, sizeof(other), "[daemon] appears twice (first at %s:1)", main_conf);
	expect_one("conf.d/50-d.conf", 1, other);
}

static void bad_value_in_dropin(void **state)
{
	put("conf.d/10-ok.conf", "[workload ok]\ntype = canary\n");
	put("conf.d/30-bad.conf", "[workload bad]\ntype = canary\n\nleak_every = lots\n");
	expect_one("conf.d/30-bad.conf", 4, "leak_every: 'lots' is not an integer");
}

static void syntax_error_in_dropin(void **state)
{
	put("conf.d/10-x.conf", "[workload x]\ntype = canary\nno equals sign here\n");
	expect_one("conf.d/10-x.conf", 3, "syntax error");
}

static void key_outside_section_in_dropin(void **state)
{
	/* The section of the previous file does not carry over. */
	put("gemsoak.conf", "[workload a]\ntype = canary\n");
	put("conf.d/10-x.conf", "rate = 5\n");
	expect_one("conf.d/10-x.conf", 1, "'rate' is outside any section");
}

/* More drop-ins than GS_CONFIG_MAX_DROPINS: the first one beyond is
 * named, nothing is loaded. */
static void too_many_dropins(void **state)
{
	char name[64];
	for (int i = 0; i <= GS_CONFIG_MAX_DROPINS; i++) {
		snprintf(name, sizeof(name), "conf.d/%04d.conf", i);
		put(name, "# empty\n");
	}
	snprintf(name, sizeof(name), "conf.d/%04d.conf", GS_CONFIG_MAX_DROPINS);
	expect_one(name, 0, "more than 128 drop-in files");
}

/* Drop-ins of 1000 KiB each (each under the file cap): the one with
 * which the config passes GS_CONFIG_MAX_TOTAL_BYTES is named. */
static void dropins_too_large_together(void **state)
{
	char *big = malloc(1000 << 10);
	assert_non_null(big);
	memset(big, '#', (1000 << 10) - 1);
	big[(1000 << 10) - 1] = '\0';
	put("conf.d/10-a.conf", big);
	put("conf.d/20-b.conf", big);
	put("conf.d/30-c.conf", big);
	free(big);
	expect_one("conf.d/30-c.conf", 0, "pass 2048 KiB together with this one");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dropins_in_name_order, setup, teardown),
		cmocka_unit_test_setup_teardown(no_dropin_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(workload_in_two_files, setup, teardown),
		cmocka_unit_test_setup_teardown(daemon_in_two_files, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_value_in_dropin, setup, teardown),
		cmocka_unit_test_setup_teardown(syntax_error_in_dropin, setup, teardown),
		cmocka_unit_test_setup_teardown(key_outside_section_in_dropin, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_dropins, setup, teardown),
		cmocka_unit_test_setup_teardown(dropins_too_large_together, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
