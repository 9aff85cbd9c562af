/* gemsoak kernel apply: apply the fixes of the series a git kernel tree
 * lacks, in series order; idempotent; a conflict leaves the tree as it was. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/kernel-open.h"
#include "kernel/apply.h"
#include "kernel/git.h"

static int apply_exec(struct cli *c)
{
	const char *tree = cli_opt(c, "tree"), *series = cli_opt(c, "series");
	struct gs_apply_opts o = { .out = stdout, .upstream = cli_opt(c, "upstream"), .dry_run = cli_opt(c, "dry-run") };
	if (o.upstream && !git_is_repo(o.upstream)) {
		cli_error("--upstream %s is not the top of a git repository", o.upstream);
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

static const struct cmd_option apply_options[] = {
	{ .name = "tree", .letter = 't', .arg = "DIR", .help = "the kernel tree (a git work tree without local changes)", .required = true },
	{ .name = "upstream", .letter = 'u', .arg = "GITDIR", .help = "a clone holding the upstream commits" },
	{ .name = "dry-run", .letter = 'n', .help = "say what would be applied, change nothing" },
	{ .name = "series", .letter = 's', .arg = "FILE", .help = "the fix series (default: kernel/series)" },
	{ NULL },
};

const struct cmd_entry cmd_kernel_apply_entry = {
	.name = "kernel apply",
	.summary = "Apply the kernel fixes a git tree lacks",
	.help = "Apply the fixes DIR (a clean git work tree) lacks, in series order:\n"
		"git cherry-pick -x when DIR's repository has the commit, else\n"
		"git format-patch from GITDIR and git am -3, else git am -3 of the\n"
		"patch file the series names. Fixes already present are skipped. A\n"
		"conflict stops the run, names the fix and the file, and puts DIR back\n"
		"at the HEAD it started from.\n",
	.options = apply_options,
	.exit_status = "0 every fix present or applied, 1 some still missing,\n"
		       "2 error or conflict (nothing applied).",
	.exec = apply_exec,
};
