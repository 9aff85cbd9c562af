/* gemsoak kernel check: which fixes of the series a kernel tree (or the
 * running kernel) has, as a table fit for a bug report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/cmd.h"
#include "cli/kernel-open.h"
#include "common/util.h"
#include "kernel/detect.h"
#include "kernel/probe.h"
#include "kernel/series.h"

static const char check_usage[] =
	"usage: gemsoak kernel check (--tree DIR | --running [--behaviour]) [--series FILE]\n"
	"\n"
	"Tell which fixes of the kernel fix series DIR has (git history, then\n"
	"source signatures, then the Makefile's version), or the running kernel\n"
	"has (its release against each fix's first mainline release; with\n"
	"--behaviour also the race each fix closes, run on the device for a few\n"
	"seconds: a counter that does not come back means the fix is missing).\n"
	"\n"
	"  -t, --tree DIR       a kernel source tree (or its drivers/gpu/drm + include part)\n"
	"  -r, --running        decide from `uname -r`\n"
	"  -b, --behaviour      with --running: run the fixes' probes (needs root, debugfs)\n"
	"      --seconds N      how long each probe races (default 2)\n"
	"      --device PATH    the DRM device for the probes (default auto)\n"
	"      --debugfs DIR    where debugfs is mounted (default /sys/kernel/debug)\n"
	"  -s, --series FILE    the fix series (default: kernel/series)\n"
	"  -h, --help           this text\n"
	"\n"
	"Exit status: 0 every fix present, 1 some missing or unknown, 2 error.\n";

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
 * no leak cannot prove presence, so the release still decides. (A long
 * text is cut short rather than lost.) */
static void add_behaviour(struct gs_verdict *v, const struct gs_probe_result *r)
{
	char rel[sizeof(v->how)];
	snprintf(rel, sizeof(rel), "%s", v->how);
	if (r->ran && r->leaked > 0) {
		v->state = FIX_MISSING;
		(void)fmt_ok(v->how, sizeof(v->how), "behaviour: %s; %s", r->why, rel);
	} else {
		(void)fmt_ok(v->how, sizeof(v->how), "%s; behaviour%s: %s", rel, r->ran ? "" : " not run", r->why);
	}
}

static int check_probes_known(const struct gs_series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct gs_fix *f = &s->fixes[i];
		if (f->probe && !gs_probe_known(f->probe)) {
			fprintf(stderr, "gemsoak kernel check: %s:%d: probe: no probe called '%s' "
				"(known: flink-close-race export-close-race prime-cache-release flink-name-race)\n", s->path, f->probe_line, f->probe);
			return -1;
		}
	}
	return 0;
}

static int check_exec(int argc, char **argv)
{
	enum { OPT_SECONDS = 256, OPT_DEVICE, OPT_DEBUGFS };
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "running", no_argument, NULL, 'r' },
		{ "behaviour", no_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "series", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *tree = NULL, *series = NULL;
	bool running = false, behaviour = false;
	struct gs_probe_env env = { .device = "auto", .debugfs = "/sys/kernel/debug", .seconds = 2, .threads = 4 };
	int64_t secs;
	int c;
	while ((c = getopt_long(argc, argv, "t:rbs:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': tree = optarg; break;
		case 'r': running = true; break;
		case 'b': behaviour = true; break;
		case OPT_SECONDS:
			if (!parse_int64(optarg, 1, 3600, &secs)) {
				fprintf(stderr, "gemsoak kernel check: --seconds: '%s' is not a number of seconds (1-3600)\n", optarg);
				return CMD_ERROR;
			}
			env.seconds = (double)secs;
			break;
		case OPT_DEVICE: env.device = optarg; break;
		case OPT_DEBUGFS: env.debugfs = optarg; break;
		case 's': series = optarg; break;
		case 'h': fputs(check_usage, stdout); return CMD_OK;
		default: fputs(check_usage, stderr); return CMD_ERROR;
		}
	}
	if (optind != argc || !tree == !running || (behaviour && !running)) {
		fprintf(stderr, "gemsoak kernel check: give exactly one of --tree DIR and --running "
			"(--behaviour goes with --running)\n%s", check_usage);
		return CMD_ERROR;
	}
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

const struct cmd_entry cmd_kernel_check_entry = {
	.name = "kernel check",
	.usage = "(--tree DIR | --running [--behaviour]) [--series FILE]",
	.summary = "which kernel fixes a tree or the running kernel has",
	.exec = check_exec,
};
