/* The sharing workloads' configuration: string keys (close_order, device2,
 * command) are validated with FILE:LINE messages, and a workload that
 * needs a capability the device lacks is refused naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config-caps.h"
#include "daemon/config.h"

/* The config text lives in a memfd, read through its /proc path. */
static int load(const char *text, struct gs_config *cfg, char **errs)
{
	int fd = memfd_create("gs-test.conf", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	size_t len;
	FILE *errf = open_memstream(errs, &len);
	int problems = config_load(path, cfg, errf);
	fclose(errf);
	close(fd);
	return problems;
}

static void string_keys(void **state)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload a]\ntype = prime-share\nclose_order = exporter,fd,importer\n"
			      "[workload prime-share]\n"
			      "[workload x-restart]\ncommand = systemctl restart display-manager\n",
			      &cfg, &errs), 0);
	free(errs);
	assert_int_equal(cfg.nworkloads, 3);
	assert_string_equal(wl_get_str(&cfg.workloads[0], "close_order"), "exporter,fd,importer");
	assert_string_equal(wl_get_str(&cfg.workloads[1], "close_order"), ""); /* = cycle */
	assert_string_equal(wl_get_str(&cfg.workloads[1], "device2"), "");
	assert_string_equal(wl_get_str(&cfg.workloads[1], "no-such-key"), "");
	assert_string_equal(wl_get_str(&cfg.workloads[2], "command"), "systemctl restart display-manager");
	assert_int_equal(wl_get(&cfg.workloads[2], "timeout"), 60000);
	config_free(&cfg);
}

static void bad_string_values(void **state)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload prime-share]\nobjects = 2\nclose_order = backwards\n", &cfg, &errs), 1);
	assert_non_null(strstr(errs, ":3: close_order: 'backwards' is not a close order"));
	free(errs);
	config_free(&cfg);

	assert_int_equal(load("[workload flink-close-race]\nthreads = 100\n", &cfg, &errs), 1);
	assert_non_null(strstr(errs, ":2: threads: '100' is not an integer from 1 to 32"));
	free(errs);
	config_free(&cfg);
}

static int check_caps(const char *text, unsigned caps, char **errs)
{
	struct gs_config cfg;
	assert_int_equal(load(text, &cfg, errs), 0);
	free(*errs);
	size_t len;
	FILE *f = open_memstream(errs, &len);
	int problems = config_check_caps(&cfg, caps, "/dev/dri/card0", "testdrv", f);
	fclose(f);
	config_free(&cfg);
	return problems;
}

static void capabilities_by_name(void **state)
{
	const unsigned all = GS_CAP_GEM_CREATE | GS_CAP_FLINK | GS_CAP_PRIME_EXPORT | GS_CAP_PRIME_IMPORT |
			     GS_CAP_MAP | GS_CAP_MASTER;
	char *errs;
	assert_int_equal(check_caps("[workload x-restart]\n", all & ~GS_CAP_MASTER, &errs), 1);
	assert_non_null(strstr(errs, ":1: workload x-restart (x-restart) needs DRM master"));
	free(errs);
	/* A restart command needs nothing of the device. */
	assert_int_equal(check_caps("[workload x-restart]\ncommand = true\n", GS_CAP_GEM_CREATE, &errs), 0);
	free(errs);
	assert_int_equal(check_caps("[workload prime-share]\n", all & ~GS_CAP_PRIME_IMPORT, &errs), 1);
	assert_non_null(strstr(errs, "needs PRIME import, which /dev/dri/card0 (driver testdrv) does not offer"));
	free(errs);
	assert_int_equal(check_caps("[workload self-import]\n[workload export-close-race]\n",
				    GS_CAP_GEM_CREATE | GS_CAP_FLINK, &errs), 4);
	free(errs);
	assert_int_equal(check_caps("[workload flink-close-race]\n", GS_CAP_GEM_CREATE, &errs), 1);
	assert_non_null(strstr(errs, "needs flink names"));
	free(errs);
	/* A second device that is not there is refused by name. */
	assert_int_equal(check_caps("[workload prime-share]\ndevice2 = /nonexistent/card9\n", all, &errs), 1);
	assert_non_null(strstr(errs, ":1: workload prime-share (prime-share) needs a second device with PRIME import"));
	free(errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_keys),
		cmocka_unit_test(bad_string_values),
		cmocka_unit_test(capabilities_by_name),
	};
	return cmocka_run_group_tests_name("workload keys", tests, NULL, NULL);
}
