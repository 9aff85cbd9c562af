/* gemsoak anomalies: the kernel's broken promises in a gemsoak database,
 * counted per run, hour of the run, workload and kind (the view
 * anomalies_per_hour), with the latest few messages. Exit status 1 when
 * there are any, so a soak can be checked by a script. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "common/util.h"

/* Print every row of `sql` (?1 = the run, 0 for every run; ?2 = limit),
 * two spaces between columns. 0, or -1 after a message. */
static int print_rows(sqlite3 *db, const char *sql, int64_t run, int64_t limit, int *rows)
{
	sqlite3_stmt *s = cli_prepare(db, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, limit);
	int r;
	*rows = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			const unsigned char *v = sqlite3_column_text(s, c);
			printf("%s%s", c ? "  " : "", v ? (const char *)v : "");
		}
		putchar('\n');
		(*rows)++;
	}
	if (r != SQLITE_DONE)
		cli_error("%s: %s", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? 0 : -1;
}

/* --json, --csv: the counts (per_hour) and the latest messages (latest,
 * JSON only), with named columns. The number of counts, or -1. */
static int print_doc(const struct cli *c, sqlite3 *db, int64_t run, int64_t last)
{
	sqlite3_stmt *s = cli_prepare(db, "SELECT run_id AS run, hour, workload, kind, anomalies FROM anomalies_per_hour"
				      " WHERE ?1 = 0 OR run_id = ?1");
	sqlite3_stmt *m = cli_prepare(db, "SELECT * FROM (SELECT datetime(t, 'unixepoch') AS time, run_id AS run,"
				      " workload, kind, message, repeats FROM anomalies WHERE ?1 = 0 OR run_id = ?1"
				      " ORDER BY t DESC, id DESC LIMIT ?2) ORDER BY time");
	int n = -1;
	if (s && m) {
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_int64(m, 1, run);
		sqlite3_bind_int64(m, 2, last);
		cli_doc_begin(c);
		n = cli_doc_rows(c, "per_hour", s, true);
		if (n >= 0 && cli_doc_rows(c, "latest", m, false) < 0)
			n = -1;
		cli_doc_end(c);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(m);
	return n;
}

static int anomalies_exec(struct cli *c)
{
	const char *run_arg = cli_opt(c, "run"), *last_arg = cli_opt(c, "last");
	int64_t run = 0, last = 10;
	if (last_arg && !parse_int64(last_arg, 0, INT64_MAX, &last))
		return cli_usage_error(c, "--last: '%s' is not a count", last_arg);
	sqlite3 *db = run_arg ? cli_open_run(c, run_arg, &run) : cli_open(c, false);
	if (!db)
		return CMD_ERROR;
	int counted = 0, shown = 0, r = 0;
	if (!cli_human(c)) {
		counted = print_doc(c, db, run, last);
		sqlite3_close(db);
		return counted < 0 ? CMD_ERROR : counted ? CMD_FOUND : CMD_OK;
	}
	r = print_rows(db,
			   "SELECT 'run ' || run_id, 'hour ' || hour, workload, kind, anomalies FROM anomalies_per_hour"
			   " WHERE ?1 = 0 OR run_id = ?1",
			   run, 0, &counted);
	if (!r && counted && last > 0) {
		printf("\nlast %lld:\n", (long long)last);
		r = print_rows(db,
			       "SELECT * FROM (SELECT datetime(t, 'unixepoch'), workload, kind,"
			       " message || CASE WHEN repeats > 1 THEN ' (×' || repeats || ')' ELSE '' END FROM anomalies"
			       " WHERE ?1 = 0 OR run_id = ?1 ORDER BY t DESC, id DESC LIMIT ?2) ORDER BY 1",
			       run, last, &shown);
	}
	sqlite3_close(db);
	if (r)
		return CMD_ERROR;
	if (!counted)
		printf("no anomalies\n");
	return counted ? CMD_FOUND : CMD_OK;
}

static const struct cmd_option anomalies_options[] = {
	{ .name = "run", .letter = 'r', .arg = "N", .help = "only run N (default: every run)" },
	{ .name = "last", .letter = 'n', .arg = "N", .help = "how many of the latest messages to print (default 10; 0: none)" },
	/* -d was this command's own spelling before it took -D like the rest. */
	{ .name = "database", .letter = 'd', .arg = "FILE", .alias_of = "db" },
	{ NULL },
};

const struct cmd_entry cmd_anomalies = {
	.name = "anomalies",
	.summary = "Count the kernel's broken promises per run, hour, workload and kind",
	.help = "Anomalies are violated promises, undocumented errnos and workers killed by\n"
		"signals; the latest messages follow the counts. -d/--database FILE, the old\n"
		"spelling of -D/--db, still works (with a warning) until the next release.\n",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = anomalies_options,
	.exit_status = "0 no anomalies, 1 anomalies found, 2 error.",
	.exec = anomalies_exec,
};
