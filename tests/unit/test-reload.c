/* Reload's plan: which workloads keep running, restart, start and stop
 * when the config changes, and which [daemon] changes need a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/reload-plan.h"

/* Load text into cfg; the number of problems. */
static int try_load(const char *text, struct gs_config *cfg)
{
	char path[] = "/tmp/gs-test-reload-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	FILE *errs = fopen("/dev/null", "w");
	int problems = config_load(path, cfg, errs);
	fclose(errs);
	unlink(path);
	return problems;
}

static void load(const char *text, struct gs_config *cfg)
{
	assert_int_equal(try_load(text, cfg), 0);
}

static const char *OLD =
	"[daemon]\ninterval = 10s\n"
	"[workload same]\ntype = flink-share\nproducers = 2\n"
	"[workload tuned]\ntype = canary\nleak_every = 50\n"
	"[workload retyped]\ntype = canary\n"
	"[workload gone]\ntype = flink-share\n";

static const char *NEW =
	"[daemon]\ninterval = 10s\n"
	"[workload fresh]\ntype = canary\n"
	"[workload retyped]\ntype = flink-share\n"
	"[workload tuned]\ntype = canary\nleak_every = 60\n"
	"# only comments and an explicit default differ\n"
	"[workload same]\ntype = flink-share\nproducers = 2\nseed = 1\n";

static const struct reload_step *step_for(const struct reload_step *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const struct wl_config *w = s[i].new ? s[i].new : s[i].old;
		if (strcmp(w->name, name) == 0)
			return &s[i];
	}
	fail_msg("no step for workload %s", name);
	return NULL;
}

/* Load both texts and plan the reload from the first to the second. */
static size_t plan(const char *from, const char *to, struct gs_config *old, struct gs_config *new,
		   struct reload_step *steps)
{
	load(from, old);
	load(to, new);
	return reload_plan(old, new, steps);
}

static void plan_of_each_kind(void **state)
{
	struct gs_config old, new;
	struct reload_step steps[8];
	size_t n = plan(OLD, NEW, &old, &new, steps);
	assert_int_equal(n, 5);
	/* Stops come first: a restarted or new workload may reuse what they held. */
	assert_int_equal(steps[0].action, RELOAD_STOP);
	assert_string_equal(steps[0].old->name, "gone");
	assert_null(steps[0].new);

	const struct reload_step *s = step_for(steps, n, "same");
	assert_int_equal(s->action, RELOAD_KEEP);
	assert_ptr_equal(s->old, &old.workloads[0]);
	assert_ptr_equal(s->new, &new.workloads[3]);
	assert_int_equal(step_for(steps, n, "tuned")->action, RELOAD_RESTART);
	assert_int_equal(step_for(steps, n, "retyped")->action, RELOAD_RESTART);
	s = step_for(steps, n, "fresh");
	assert_int_equal(s->action, RELOAD_START);
	assert_null(s->old);
	/* Then the new config's order. */
	assert_string_equal(steps[1].new->name, "fresh");
	assert_string_equal(steps[4].new->name, "same");

	char what[64];
	assert_false(reload_daemon_changed(&old, &new, what, sizeof(what)));
	assert_string_equal(what, "");
	config_free(&old);
	config_free(&new);
}

static void unchanged_config_keeps_everything(void **state)
{
	struct gs_config a, b;
	struct reload_step steps[8];
	size_t n = plan(OLD, OLD, &a, &b, steps);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(steps[i].action, RELOAD_KEEP);
	config_free(&a);
	config_free(&b);
}

/* A value of string key `key` of type t that its check accepts. */
static const char *string_value(const struct wl_type *t, const char *key)
{
	static const char *const candidates[] = { "true", "random", "auto" };
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (!t->check_str || !t->check_str(key, candidates[i]))
			return candidates[i];
	fail_msg("no test value for %s's key %s", t->name, key);
	return NULL;
}

/* The string key a section of type t must set to be taken (display-server:
 * a server or a command), set to "base" in *line; NULL when none. */
static const char *base_key(const struct wl_type *t, char *line, size_t len)
{
	line[0] = '\0';
	if (!t->check)
		return NULL;
	for (int k = 0; t->keys[k].name; k++) {
		if (t->keys[k].kind != WK_STRING)
			continue;
		struct gs_config c;
		char text[256];
		snprintf(line, len, "%s = base\n", t->keys[k].name);
		snprintf(text, sizeof(text), "[workload w]\ntype = %s\n%s", t->name, line);
		int problems = try_load(text, &c);
		config_free(&c);
		if (!problems)
			return t->keys[k].name;
	}
	fail_msg("no key makes a section of type %s valid", t->name);
	return NULL;
}

/* Every key of every type, strings too (a changed `command` once ran on
 * with its old value): a change restarts the workload. */
static void every_key_counts(void **state)
{
	for (const struct wl_type *const *t = wl_types(); *t; t++) {
		struct gs_config a, b;
		char text[512], base[64];
		const char *bk = base_key(*t, base, sizeof(base));
		snprintf(text, sizeof(text), "[workload w]\ntype = %s\n%s", (*t)->name, base);
		load(text, &a);
		for (int k = 0; (*t)->keys[k].name; k++) {
			const struct wl_key *key = &(*t)->keys[k];
			if (key->kind != WK_STRING && key->kind != WK_BOOL && key->min == key->max)
				continue; /* one value only: it cannot change */
			/* A value other than the default, within the key's range. */
			int64_t v = key->def == key->min ? key->min + 1 : key->min;
			int used = snprintf(text, sizeof(text), "[workload w]\ntype = %s\n%s%s = ", (*t)->name,
					    bk && strcmp(bk, key->name) != 0 ? base : "", key->name);
			if (key->kind == WK_BOOL)
				snprintf(text + used, sizeof(text) - (size_t)used, "%s\n", key->def ? "no" : "yes");
			else if (key->kind == WK_STRING)
				snprintf(text + used, sizeof(text) - (size_t)used, "%s\n", string_value(*t, key->name));
			else
				snprintf(text + used, sizeof(text) - (size_t)used, "%lld%s\n", (long long)v,
					 key->kind == WK_DURATION ? "ms" : "");
			load(text, &b);
			if (reload_same_workload(&a.workloads[0], &b.workloads[0]))
				fail_msg("a change of %s's '%s' was not noticed", (*t)->name, key->name);
			config_free(&b);
		}
		config_free(&a);
	}
}

static void daemon_changes_are_named(void **state)
{
	struct gs_config a, b;
	load("[daemon]\ndevice = auto\ninterval = 10s\n", &a);
	load("[daemon]\ndevice = /dev/dri/card1\ninterval = 5s\n", &b);
	char what[64];
	assert_true(reload_daemon_changed(&a, &b, what, sizeof(what)));
	assert_string_equal(what, "device, interval");
	config_free(&b);
	load("[daemon]\ndevice = auto\ninterval = 10s\nuser = root\nrestart_backoff = 2s\n"
	     "trend_window = 1m\nretention = 1d\nquiesce = yes\ndrop_caches = yes\n", &b);
	char all[256];
	assert_true(reload_daemon_changed(&a, &b, all, sizeof(all)));
	assert_string_equal(all, "user, restart_backoff, trend_window, retention, quiesce, drop_caches");
	config_free(&b);
	/* The leak guard's keys were once ignored without a word. */
	load("[daemon]\ndevice = auto\ninterval = 10s\nmemory_floor = 100M\nmemory_resume = 200M\n"
	     "meminfo = /tmp/meminfo\n", &b);
	assert_true(reload_daemon_changed(&a, &b, all, sizeof(all)));
	assert_string_equal(all, "memory_floor, memory_resume, meminfo");
	config_free(&a);
	config_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_of_each_kind),
		cmocka_unit_test(unchanged_config_keeps_everything),
		cmocka_unit_test(every_key_counts),
		cmocka_unit_test(daemon_changes_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
