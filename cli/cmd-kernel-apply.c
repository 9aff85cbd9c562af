/* gemsoak kernel apply: apply the fixes of the series a git kernel tree
 * lacks, in series order; idempotent; a conflict leaves the tree as it was. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cmd.h"
#include "cli/kernel-open.h"
#include "kernel/apply.h"
#include "kernel/git.h"

static const char apply_usage[] =
	"usage: gemsoak kernel apply --tree DIR [--upstream GITDIR] [--dry-run] [--series FILE]\n"
	"\n"
	"Apply the fixes DIR (a clean git work tree) lacks, in series order:\n"
	"git cherry-pick -x when DIR's repository has the commit, else\n"
	"git format-patch from GITDIR and git am -3, else git am -3 of the\n"
	"patch file the series names. Fixes already present are skipped. A\n"
	"conflict stops the run, names the fix and the file, and puts DIR back\n"
	"at the HEAD it started from.\n"
	"\n"
	"  -t, --tree DIR        the kernel tree (a git work tree without local changes)\n"
	"  -u, --upstream GITDIR a clone holding the upstream commits\n"
	"  -n, --dry-run         say what would be applied, change nothing\n"
	"  -s, --series FILE     the fix series (default: kernel/series)\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 every fix present or applied, 1 some still missing,\n"
	"2 error or conflict (nothing applied).\n";

static int apply_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "series", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *tree = NULL, *series = NULL;
	struct gs_apply_opts o = { .out = stdout };
	int c;
	while ((c = getopt_long(argc, argv, "t:u:ns:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': tree = optarg; break;
		case 'u': o.upstream = optarg; break;
		case 'n': o.dry_run = true; break;
		case 's': series = optarg; break;
		case 'h': fputs(apply_usage, stdout); return CMD_OK;
		default: fputs(apply_usage, stderr); return CMD_ERROR;
		}
	}
	if (optind != argc || !tree) {
		fprintf(stderr, "gemsoak kernel apply: --tree DIR is required\n%s", apply_usage);
		return CMD_ERROR;
	}
	if (o.upstream && !git_is_repo(o.upstream)) {
		fprintf(stderr, "gemsoak kernel apply: --upstream %s is not the top of a git repository\n", o.upstream);
		return CMD_ERROR;
	}
	char path[4096];
	struct gs_series s;
	struct gs_tree t;
	if (kernel_open("kernel apply", series, tree, &s, &t, path, sizeof(path)) != CMD_OK)
		return CMD_ERROR;
	fflush(stdout);
	int rc = gs_apply_series(&t, &s, &o);
	gs_series_free(&s);
	return rc;
}

const struct cmd_entry cmd_kernel_apply_entry = {
	.name = "kernel apply",
	.usage = "--tree DIR [--upstream GITDIR] [--dry-run] [--series FILE]",
	.summary = "apply the kernel fixes a git tree lacks",
	.exec = apply_exec,
};
