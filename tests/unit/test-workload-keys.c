/* The workloads' configuration: string keys (close_order, device2,
 * command) are validated with FILE:LINE messages, and a workload that
 * needs a capability the device lacks is refused naming it. The key
 * tables are the one declaration of every workload key: a key is set once
 * per section (`type` included), code that reads a key its type does not
 * declare stops with its name instead of reading 0, and a type with no
 * channels between its processes writes no setup, fds or teardown. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"

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
			      "[workload ds]\ntype = display-server\ncommand = systemctl restart display-manager\n",
			      &cfg, &errs), 0);
	free(errs);
	assert_int_equal(cfg.nworkloads, 3);
	assert_string_equal(wl_get_str(&cfg.workloads[0], "close_order"), "exporter,fd,importer");
	assert_string_equal(wl_get_str(&cfg.workloads[1], "close_order"), ""); /* = cycle */
	assert_string_equal(wl_get_str(&cfg.workloads[1], "device2"), "");
	assert_string_equal(wl_get_str_opt(&cfg.workloads[1], "no-such-key"), "");
	assert_string_equal(wl_get_str(&cfg.workloads[2], "command"), "systemctl restart display-manager");
	assert_int_equal(wl_get(&cfg.workloads[2], "timeout"), 60000);
	config_free(&cfg);
}

/* Load text: `problems` problems, and the messages hold `says`. */
static void load_says(const char *text, int problems, const char *says)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load(text, &cfg, &errs), problems);
	if (!strstr(errs, says))
		fail_msg("'%s' is not in: %s", says, errs);
	free(errs);
	config_free(&cfg);
}

static void bad_string_values(void **state)
{
	load_says("[workload prime-share]\nobjects = 2\nclose_order = backwards\n", 1,
		  ":3: close_order: 'backwards' is not a close order");
	load_says("[workload flink-close-race]\nthreads = 100\n", 1, ":2: threads: '100' is not an integer from 1 to 32");
}

/* A rate is a decimal to three places, kept in thousandths: a slow leak
 * beside fast clean work runs below one cycle a second. */
static void rate_is_a_decimal(void **state)
{
	static const struct { const char *text; bool ok; int64_t v; const char *shown; } vec[] = {
		{ "0", true, 0, "0" },           { "100", true, 100000, "100" }, { "2.5", true, 2500, "2.5" },
		{ "0.05", true, 50, "0.05" },    { "0.001", true, 1, "0.001" },  { "1.250", true, 1250, "1.25" },
		{ "0.0005", false, 0, NULL },   { "1.", false, 0, NULL },      { ".5", false, 0, NULL },
		{ "-1", false, 0, NULL },       { "1.5x", false, 0, NULL },    { "", false, 0, NULL },
		{ "1e3", false, 0, NULL },      { "9223372036854775807", false, 0, NULL },
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		int64_t v = -1;
		bool ok = parse_milli(vec[i].text, 0, INT64_MAX, &v);
		if (ok != vec[i].ok || (ok && v != vec[i].v))
			fail_msg("parse_milli(\"%s\"): %d, %lld", vec[i].text, ok, (long long)v);
		char buf[32];
		if (ok && strcmp(fmt_milli(v, buf, sizeof(buf)), vec[i].shown) != 0)
			fail_msg("fmt_milli(%lld): \"%s\", not \"%s\"", (long long)v, buf, vec[i].shown);
	}
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload gralloc]\ntype = prime-share\nrate = 0.05\n", &cfg, &errs), 0);
	assert_true(wl_rate(&cfg.workloads[0]) == 0.05);
	free(errs);
	config_free(&cfg);
	load_says("[workload gralloc]\ntype = prime-share\nrate = 0.0005\n", 1,
		  ":3: rate: '0.0005' is not a number of cycles/s from 0 to 100000000, to three decimals (e.g. 100, 2.5, 0.05)");
}

/* x-restart's restart command and real server are display-server's now:
 * an old config still loads, with one warning naming its line and the new
 * type; the same keys under the new type give none. */
static void moved_keys_warn(void **state)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload x]\ntype = x-restart\nrate = 2\ncommand = true\ntimeout = 5s\n", &cfg,
			      &errs), 0);
	printf("old config: %s", errs);
	assert_non_null(strstr(errs, ":4: warning: x-restart with command is deprecated: use type = display-server\n"));
	assert_null(strstr(strstr(errs, "\n") + 1, "warning")); /* one line per section */
	assert_string_equal(wl_get_str(&cfg.workloads[0], "command"), "true");
	free(errs);
	config_free(&cfg);

	assert_int_equal(load("[workload x]\ntype = display-server\nrate = 2\ncommand = true\ntimeout = 5s\n", &cfg,
			      &errs), 0);
	assert_string_equal(errs, "");
	free(errs);
	config_free(&cfg);

	/* display-server needs one of the two; unknown keys stay refused. */
	load_says("[workload ds]\ntype = display-server\nclient = true\n", 1, ":1: [workload ds]: needs server or command");
	load_says("[workload ds]\ntype = display-server\ncommand = true\nobjects = 2\n", 1,
		  ":4: unknown key 'objects' for workload type display-server");
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
	assert_int_equal(check_caps("[workload ds]\ntype = display-server\ncommand = true\n", GS_CAP_GEM_CREATE, &errs), 0);
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

static void type_set_twice_is_refused(void **state)
{
	struct gs_config cfg;
	char *errs;
	int problems = load("[workload a]\ntype = flink-share\nproducers = 2\ntype = canary\n", &cfg, &errs);
	printf("type twice: %d problem(s): %s", problems, errs);
	assert_int_equal(problems, 1);
	assert_non_null(strstr(errs, ":4: type: set twice in [workload a] (also at line 2)"));
	free(errs);
	config_free(&cfg);

	/* The negative control: once is fine. */
	assert_int_equal(load("[workload a]\ntype = canary\nleak_every = 5\n", &cfg, &errs), 0);
	free(errs);
	assert_string_equal(cfg.workloads[0].type->name, "canary");
	config_free(&cfg);
}

/* Run fn() in a child with stderr in a pipe: its wait status, and
 * what it wrote in msg. */
static int in_child(void (*fn)(const struct wl_config *), const struct wl_config *w, char *msg, size_t len)
{
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		fn(w);
		_exit(0);
	}
	close(pipefd[1]);
	size_t used = 0;
	ssize_t n;
	while (used < len - 1 && (n = read(pipefd[0], msg + used, len - 1 - used)) > 0)
		used += (size_t)n;
	msg[used] = '\0';
	close(pipefd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void read_typo(const struct wl_config *w)
{
	fprintf(stdout, "%lld\n", (long long)wl_get(w, "producrs"));
}

static void read_str_typo(const struct wl_config *w)
{
	fprintf(stdout, "%s\n", wl_get_str(w, "comand"));
}

static void read_declared(const struct wl_config *w)
{
	if (wl_get(w, "producers") != 2 || wl_get_opt(w, "leak_every") != 0 ||
	    strcmp(wl_get_str_opt(w, "device2"), "") != 0)
		_exit(1);
}

static void undeclared_key_stops_the_reader(void **state)
{
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload flink-share]\nproducers = 2\n", &cfg, &errs), 0);
	free(errs);
	char msg[512];
	int status = in_child(read_typo, &cfg.workloads[0], msg, sizeof(msg));
	printf("wl_get(\"producrs\"): wait status %#x, \"%s\"\n", status, msg);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(msg, "workload type flink-share declares no key 'producrs'"));
	status = in_child(read_str_typo, &cfg.workloads[0], msg, sizeof(msg));
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(msg, "declares no key 'comand'"));
	/* The negative control: declared keys, and keys read as optional. */
	status = in_child(read_declared, &cfg.workloads[0], msg, sizeof(msg));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	config_free(&cfg);
}

/* The daemon reads these of every workload (its cap, its end, the seed it
 * records), so every type declares them. */
static void every_type_declares_the_common_keys(void **state)
{
	static const char *const common[] = { "size", "rate", "duration", "seed" };
	for (const struct wl_type *const *t = wl_types(); *t; t++)
		for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
			if (wl_key_index(*t, common[i]) < 0)
				fail_msg("workload type %s does not declare %s", (*t)->name, common[i]);
}

static int one_proc(const struct wl_config *cfg)
{
	return 1;
}

static void never_run(struct wl_proc *p) __attribute__((noreturn));
static void never_run(struct wl_proc *p)
{
	abort();
}

static const struct wl_key bare_keys[] = { WL_KEY_RATE, WL_KEY_END };

/* A type without channels between its processes. */
static const struct wl_type bare = {
	.name = "bare", .summary = "test", .keys = bare_keys, .nprocs = one_proc, .run = never_run,
};

static void channels_are_optional(void **state)
{
	struct wl_config w = { .name = "bare", .type = &bare };
	void *chan = wl_channels_open(&w);
	assert_non_null(chan);
	int fds[WL_MAX_FDS];
	assert_int_equal(wl_channels_fds(chan, &w, 0, fds, WL_MAX_FDS), 0);
	wl_channels_close(&w, chan);

	/* The negative control: a type with channels gets them. */
	struct gs_config cfg;
	char *errs;
	assert_int_equal(load("[workload prime-share]\nprocesses = 2\n", &cfg, &errs), 0);
	free(errs);
	chan = wl_channels_open(&cfg.workloads[0]);
	assert_non_null(chan);
	assert_int_equal(wl_channels_fds(chan, &cfg.workloads[0], 3, fds, WL_MAX_FDS), 1);
	assert_true(fds[0] > 2);
	wl_channels_close(&cfg.workloads[0], chan);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_keys),
		cmocka_unit_test(bad_string_values),
		cmocka_unit_test(rate_is_a_decimal),
		cmocka_unit_test(moved_keys_warn),
		cmocka_unit_test(capabilities_by_name),
		cmocka_unit_test(type_set_twice_is_refused),
		cmocka_unit_test(undeclared_key_stops_the_reader),
		cmocka_unit_test(every_type_declares_the_common_keys),
		cmocka_unit_test(channels_are_optional),
	};
	return cmocka_run_group_tests_name("workload keys", tests, NULL, NULL);
}
