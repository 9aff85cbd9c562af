/* gemsoak kernel check: which fixes of the series a kernel tree (or the
 * running kernel) has, as a table fit for a bug report. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/cmd.h"
#include "cli/kernel-open.h"
#include "kernel/detect.h"
#include "kernel/series.h"

static const char check_usage[] =
	"usage: gemsoak kernel check (--tree DIR | --running) [--series FILE]\n"
	"\n"
	"Tell which fixes of the kernel fix series DIR has (git history, then\n"
	"source signatures, then the Makefile's version), or the running kernel\n"
	"has (its release against each fix's first mainline release).\n"
	"\n"
	"  -t, --tree DIR     a kernel source tree (or its drivers/gpu/drm + include part)\n"
	"  -r, --running      decide from `uname -r`\n"
	"  -s, --series FILE  the fix series (default: kernel/series)\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 every fix present, 1 some missing or unknown, 2 error.\n";

static int check_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "running", no_argument, NULL, 'r' },
		{ "series", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *tree = NULL, *series = NULL;
	bool running = false;
	int c;
	while ((c = getopt_long(argc, argv, "t:rs:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': tree = optarg; break;
		case 'r': running = true; break;
		case 's': series = optarg; break;
		case 'h': fputs(check_usage, stdout); return CMD_OK;
		default: fputs(check_usage, stderr); return CMD_ERROR;
		}
	}
	if (optind != argc || !tree == !running) {
		fprintf(stderr, "gemsoak kernel check: give exactly one of --tree DIR and --running\n%s", check_usage);
		return CMD_ERROR;
	}
	char path[4096];
	struct gs_series s;
	struct gs_tree t;
	struct utsname u;
	if (kernel_open("kernel check", series, tree, &s, &t, path, sizeof(path)) != CMD_OK)
		return CMD_ERROR;
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
	printf("series: %s\n", path);
	printf("%-28s %-12s %-6s %-8s %s\n", "fix", "commit", "first", "status", "decided by");
	int counts[3] = { 0 };
	for (size_t i = 0; i < s.n; i++) {
		const struct gs_fix *f = &s.fixes[i];
		struct gs_verdict v;
		if (tree)
			gs_detect_in_tree(&t, f, &v);
		else
			gs_detect_by_release(u.release, f, &v);
		counts[v.state]++;
		char rel[16];
		snprintf(rel, sizeof(rel), "v%d.%d", f->rel_major, f->rel_minor);
		printf("%-28s %.12s %-6s %-8s %s\n", f->name, f->commit, rel,
		       gs_fix_state_name(v.state), v.how);
	}
	printf("summary: %d present, %d missing, %d unknown\n",
	       counts[FIX_PRESENT], counts[FIX_MISSING], counts[FIX_UNKNOWN]);
	gs_series_free(&s);
	return counts[FIX_MISSING] || counts[FIX_UNKNOWN] ? CMD_FOUND : CMD_OK;
}

const struct cmd_entry cmd_kernel_check_entry = {
	.name = "kernel check",
	.usage = "(--tree DIR | --running) [--series FILE]",
	.summary = "which kernel fixes a tree or the running kernel has",
	.exec = check_exec,
};
