/* gemsoak kernel check: which fixes of the series a kernel tree (or the
 * running kernel) has, as a table fit for a bug report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/cli.h"
#include "cli/kernel-open.h"
#include "common/util.h"
#include "kernel/detect.h"
#include "kernel/probe.h"
#include "kernel/series.h"

/* Probe results, one per probe name, shared by the fixes that name it. */
struct probe_cache {
	const char *name[16];
	struct gs_probe_result res[16];
	size_t n;
};

static const struct gs_probe_result *probe_once(struct probe_cache *c, const char *name,
						const struct gs_probe_env *env)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return &c->res[i];
	if (c->n == ARRAY_SIZE(c->name))
		return NULL;
	c->name[c->n] = name;
	gs_probe_run(name, env, &c->res[c->n]);
	return &c->res[c->n++];
}

/* Fold a probe's outcome into the release verdict: a leak means missing;
 * no leak cannot prove presence, so the release still decides; a probe
 * that could not run (no device, no debugfs) leaves the fix unknown, since
 * the behaviour asked for was not seen. (A long text is cut short rather
 * than lost.) */
static void add_behaviour(struct gs_verdict *v, const struct gs_probe_result *r)
{
	char rel[sizeof(v->how)];
	snprintf(rel, sizeof(rel), "%s", v->how);
	if (r->ran && r->leaked > 0) {
		v->state = FIX_MISSING;
		(void)fmt_ok(v->how, sizeof(v->how), "behaviour: %s; %s", r->why, rel);
	} else {
		if (!r->ran)
			v->state = FIX_UNKNOWN;
		(void)fmt_ok(v->how, sizeof(v->how), "%s; behaviour%s: %s", rel, r->ran ? "" : " not run", r->why);
	}
}

static int check_probes_known(const struct gs_series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct gs_fix *f = &s->fixes[i];
		if (f->probe && !gs_probe_known(f->probe)) {
			cli_error("%s:%d: probe: no probe called '%s' (known: flink-close-race export-close-race"
				  " prime-cache-release flink-name-race)", s->path, f->probe_line, f->probe);
			return -1;
		}
	}
	return 0;
}

static int check_exec(struct cli *c)
{
	const char *tree = cli_opt(c, "tree"), *series = cli_opt(c, "series"), *secs_arg = cli_opt(c, "seconds");
	bool running = cli_opt(c, "running"), behaviour = cli_opt(c, "behaviour");
	struct gs_probe_env env = { .device = "auto", .debugfs = "/sys/kernel/debug", .seconds = 2, .threads = 4 };
	int64_t secs;
	if (secs_arg && !parse_int64(secs_arg, 1, 3600, &secs))
		return cli_usage_error(c, "--seconds: '%s' is not a number of seconds (1-3600)", secs_arg);
	if (secs_arg)
		env.seconds = (double)secs;
	if (cli_opt(c, "device"))
		env.device = cli_opt(c, "device");
	if (cli_opt(c, "debugfs"))
		env.debugfs = cli_opt(c, "debugfs");
	if (!tree == !running || (behaviour && !running))
		return cli_usage_error(c, "give exactly one of --tree DIR and --running (--behaviour goes with --running)");
	char path[4096];
	struct gs_series s;
	struct gs_tree t;
	struct utsname u;
	if (kernel_open("kernel check", series, tree, &s, &t, path, sizeof(path)) != CMD_OK)
		return CMD_ERROR;
	if (check_probes_known(&s) < 0) {
		gs_series_free(&s);
		return CMD_ERROR;
	}
	if (running)
		uname(&u);

	if (tree) {
		printf("gemsoak kernel check: tree %s", tree);
		if (t.has_version)
			printf(" (Makefile: %d.%d.%d)", t.major, t.minor, t.sub);
		printf("%s\n", t.git ? ", git work tree" : "");
	} else {
		printf("gemsoak kernel check: running kernel %s %s\n", u.release, u.machine);
	}
	printf("series: %s (gemsoak %s)\n", path, GS_VERSION);
	printf("%-28s %-12s %-6s %-8s %s\n", "fix", "commit", "first", "status", "decided by");
	fflush(stdout);
	int counts[3] = { 0 };
	struct probe_cache *cache = calloc(1, sizeof(*cache));
	if (!cache)
		abort();
	for (size_t i = 0; i < s.n; i++) {
		const struct gs_fix *f = &s.fixes[i];
		struct gs_verdict v;
		if (tree) {
			gs_detect_in_tree(&t, f, &v);
		} else {
			gs_detect_by_release(u.release, f, &v);
			const struct gs_probe_result *r = behaviour && f->probe ? probe_once(cache, f->probe, &env) : NULL;
			if (r)
				add_behaviour(&v, r);
		}
		counts[v.state]++;
		char rel[16];
		snprintf(rel, sizeof(rel), "v%d.%d", f->rel_major, f->rel_minor);
		printf("%-28s %.12s %-6s %-8s %s\n", f->name, f->commit, rel,
		       gs_fix_state_name(v.state), v.how);
		fflush(stdout);
	}
	free(cache);
	printf("summary: %d present, %d missing, %d unknown\n",
	       counts[FIX_PRESENT], counts[FIX_MISSING], counts[FIX_UNKNOWN]);
	gs_series_free(&s);
	return counts[FIX_MISSING] || counts[FIX_UNKNOWN] ? CMD_FOUND : CMD_OK;
}

static const struct cmd_option check_options[] = {
	{ .name = "tree", .letter = 't', .arg = "DIR", .help = "a kernel source tree (or its drivers/gpu/drm + include part)" },
	{ .name = "running", .letter = 'r', .help = "decide from `uname -r`" },
	{ .name = "behaviour", .letter = 'b', .help = "with --running: run the fixes' probes (needs root, debugfs)" },
	{ .name = "seconds", .arg = "N", .help = "how long each probe races (default 2)" },
	{ .name = "device", .arg = "PATH", .help = "the DRM device for the probes (default auto)" },
	{ .name = "debugfs", .arg = "DIR", .help = "where debugfs is mounted (default /sys/kernel/debug)" },
	{ .name = "series", .letter = 's', .arg = "FILE", .help = "the fix series (default: kernel/series)" },
	{ NULL },
};

const struct cmd_entry cmd_kernel_check_entry = {
	.name = "kernel check",
	.summary = "Tell which kernel fixes a tree or the running kernel has",
	.help = "Tell which fixes of the kernel fix series DIR has (git history, then\n"
		"source signatures, then the Makefile's version), or the running kernel\n"
		"has (its release against each fix's first mainline release; with\n"
		"--behaviour also the race each fix closes, run on the device for a few\n"
		"seconds: a counter that does not come back means the fix is missing, and\n"
		"a probe that cannot run, without a device say, leaves the fix unknown).\n",
	.synopsis = "(--tree DIR | --running [--behaviour] [--seconds N] [--device PATH] [--debugfs DIR])"
		    " [--series FILE]",
	.options = check_options,
	.exit_status = "0 every fix present, 1 some missing or unknown, 2 error.",
	.exec = check_exec,
};
