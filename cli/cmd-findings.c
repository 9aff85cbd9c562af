/* gemsoak findings: a run's leaks, one per cause (analysis/findings.h),
 * in words, with what to do next. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/findings.h"
#include "cli/format.h"

static int findings_exec(struct cli *c)
{
	int64_t run;
	sqlite3 *db = cli_open_run(c, cli_opt(c, "run"), &run);
	if (!db)
		return CMD_ERROR;
	int n = cli_load_findings(db, run);
	sqlite3_stmt *s = n < 0 ? NULL : cli_prepare(db,
		"SELECT id AS finding, workload, holder, per_kcycle AS per_kcycle_of_workload, per_hour, unit,"
		" per_hour_words, lead_metric, metrics, onset_s, confidence, attribution, origin, summary, next"
		" FROM temp.run_findings ORDER BY id");
	int r = -1;
	if (s && cli_human(c)) {
		printf("run %lld: %d finding(s)\n", (long long)run, n);
		r = cli_print_findings(db);
		if (n == 0)
			printf("no leak found (per-metric verdicts: gemsoak trends)\n");
	} else if (s) {
		cli_doc_begin(c);
		cli_doc_int(c, "run", run);
		r = cli_doc_rows(c, "findings", s, true);
		cli_doc_end(c);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (r < 0)
		return CMD_ERROR;
	return n > 0 ? CMD_FOUND : CMD_OK;
}

static const struct cmd_option findings_options[] = {
	{ .name = "run", .letter = 'r', .arg = "N", .help = "the run (default: the newest; see `gemsoak runs`)" },
	{ NULL },
};

const struct cmd_entry cmd_findings = {
	.name = "findings",
	.summary = "Show a run's leaks, one finding per cause, in words, with what to do next (exit 1: a leak)",
	.help = "A finding groups the leaking kernel metrics of one cause: the workload the\n"
		"verdicts attribute them to (by regression, or by the probe's pauses), or,\n"
		"without one, the metrics whose growth starts together and rises in\n"
		"proportion. It gives the lead metric per 1000 of that workload's own cycles\n"
		"and per hour, its holder, its metrics, what it means and what to do next.\n"
		"Where gemsoakd traced the objects' creation in the kernel (gemsoak origins),\n"
		"a finding of GEM objects or dma-bufs also says where most of its growth was\n"
		"made: by which workload or process, through which kernel stack.\n"
		"The per-metric verdicts behind it: gemsoak trends.\n",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = findings_options,
	.exit_status = "0 no finding, 1 one or more, 2 error.",
	.exec = findings_exec,
};
