/* gemsoak anomalies: the kernel's broken promises in a gemsoak database,
 * counted per run, hour of the run, workload and kind (the view
 * anomalies_per_hour), with the latest few messages. Exit status 1 when
 * there are any, so a soak can be checked by a script. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cli/cmd.h"

#define DEFAULT_DB "/var/lib/gemsoak/gemsoak.db"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gemsoak anomalies [-d DATABASE] [--run ID] [--last N]\n"
		"\n"
		"Count the anomalies (violated promises, undocumented errnos, workers\n"
		"killed by signals) per run, hour of the run, workload and kind, and\n"
		"print the last N messages (default 10).\n"
		"\n"
		"  -d, --database FILE  the database (default " DEFAULT_DB ")\n"
		"      --run ID         only this run\n"
		"      --last N         how many messages to print (0: none)\n"
		"\n"
		"Exit status: 0 no anomalies, 1 anomalies found, 2 error.\n");
}

/* Print every row of `sql` (with ?1 = run id or NULL), |-separated. */
static int print_rows(sqlite3 *db, const char *sql, long long run, long long limit, int *rows)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (run > 0)
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
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? 0 : -1;
}

static int anomalies_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "run", required_argument, NULL, 'r' },
		{ "last", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_DB;
	long long run = 0, last = 10;
	char *end;
	int c;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'r':
		case 'n':
			*(c == 'r' ? &run : &last) = strtoll(optarg, &end, 10);
			if (*end || (c == 'r' ? run <= 0 : last < 0)) {
				fprintf(stderr, "gemsoak anomalies: --%s: '%s' is not a %s\n", c == 'r' ? "run" : "last",
					optarg, c == 'r' ? "run id" : "count");
				return CMD_ERROR;
			}
			break;
		case 'h':
			usage(stdout);
			return CMD_OK;
		default:
			usage(stderr);
			return CMD_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return CMD_ERROR;
	}
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "gemsoak anomalies: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return CMD_ERROR;
	}
	int counted = 0, shown = 0;
	int r = print_rows(db,
			   "SELECT 'run ' || run_id, 'hour ' || hour, workload, kind, anomalies FROM anomalies_per_hour"
			   " WHERE ?1 IS NULL OR run_id = ?1",
			   run, 0, &counted);
	if (!r && counted && last > 0) {
		printf("\nlast %lld:\n", last);
		r = print_rows(db,
			       "SELECT * FROM (SELECT datetime(t, 'unixepoch'), workload, kind, message FROM anomalies"
			       " WHERE ?1 IS NULL OR run_id = ?1 ORDER BY t DESC, id DESC LIMIT ?2) ORDER BY 1",
			       run, last, &shown);
	}
	if (r) {
		fprintf(stderr, "gemsoak anomalies: %s: %s (is it a gemsoak database of schema 3 or later?)\n", path,
			sqlite3_errmsg(db));
		sqlite3_close(db);
		return CMD_ERROR;
	}
	sqlite3_close(db);
	if (!counted)
		printf("no anomalies\n");
	return counted ? CMD_FOUND : CMD_OK;
}

const struct cmd_entry cmd_anomalies = {
	.name = "anomalies",
	.usage = "[-d DATABASE] [--run ID] [--last N]",
	.summary = "count the kernel's broken promises per run, hour, workload and kind",
	.exec = anomalies_exec,
};
