/* gemsoak origins: where the live GEM objects and dma-bufs came from,
 * traced in the kernel (sources/origins.c): by kind, workload, process
 * and creation stack, most alive first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/origins.h"

static int origins_exec(struct cli *c)
{
	const char *kind = cli_opt(c, "kind"), *workload = cli_opt(c, "workload");
	if (kind && strcmp(kind, "dma-buf") != 0 && strcmp(kind, "gem") != 0)
		return cli_usage_error(c, "--kind: '%s' is neither dma-buf nor gem", kind);
	int64_t run = 0;
	sqlite3 *db = cli_open_run(c, cli_opt(c, "run"), &run);
	if (!db)
		return CMD_ERROR;
	int recorded = origins_recorded(db);
	if (recorded <= 0) {
		if (recorded == 0)
			cli_error("%s: no origins recorded: the database's schema predates them", cli_db_path(c));
		sqlite3_close(db);
		return CMD_ERROR;
	}
	/* Scripts get the stored frames, offsets and all; people the path. */
	sqlite3_stmt *s = origins_query(db, run, kind, workload, !cli_human(c));
	cli_doc_begin(c);
	cli_doc_int(c, "run", run);
	int r = s ? cli_doc_rows(c, "origins", s, true) : -1;
	char *why = r == 0 ? origins_unavailable(db, run) : NULL;
	cli_doc_str(c, "unavailable", why);
	cli_doc_end(c);
	if (r == 0 && cli_human(c))
		printf("no object alive from a traced origin in run %lld%s%s\n", (long long)run, why ? ": " : "",
		       why ? why : "");
	free(why);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return r < 0 ? CMD_ERROR : CMD_OK;
}

static const struct cmd_option origins_options[] = {
	{ .name = "run", .letter = 'r', .arg = "N", .help = "run N (default: the newest)" },
	{ .name = "kind", .letter = 'k', .arg = "KIND", .help = "only dma-buf or gem objects" },
	{ .name = "workload", .letter = 'w', .arg = "NAME", .help = "only those NAME made (a workload, else a process name)" },
	{ NULL },
};

const struct cmd_entry cmd_origins = {
	.name = "origins",
	.summary = "Where the live GEM objects and dma-bufs came from (traced in the kernel)",
	.help = "By kind, workload, process and kernel stack, at the run's last round, most alive first.\n"
		"Tracing needs BPF (docs/ORIGINS.md); a run that could not trace says why.",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = origins_options,
	.exec = origins_exec,
};
