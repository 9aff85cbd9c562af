/* What the gemsoak commands share: the --db and --help options, opening
 * the database, choosing a run, and printing query results as a table. */
#ifndef GS_CLI_CLI_H
#define GS_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cli/cmd.h"

/* Put these first in every command's getopt_long table. */
#define CLI_COMMON_OPTIONS \
	{ "db", required_argument, NULL, 'D' }, \
	{ "help", no_argument, NULL, 'h' }

struct cli {
	const struct cmd_entry *cmd;
	const char *help;     /* the command's option list, for --help */
	const char *db_path;  /* --db, else the daemon's configured database */
	char default_db[512];
};

/* A command's own option: 0 to go on, or an exit status to stop with. */
typedef int (*cli_option_fn)(void *ctx, int opt, const char *arg);

/* Parse argv with getopt_long: the common options here, the others through
 * on_option (may be NULL). help lists the command's own options for
 * --help. nargs: how many positional arguments the command takes (-1: it
 * checks them itself). Returns -1 when the command goes on (positional
 * arguments from argv[optind]), else the exit status to return now. */
int cli_parse(struct cli *c, const struct cmd_entry *cmd, const char *help, int argc, char **argv,
	      int nargs, const struct option *opts, const char *shortopts, cli_option_fn on_option,
	      void *ctx);
int cli_usage_error(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open the database (read-only unless write); NULL after a message. A
 * database that cannot be read in place (no -shm can be created: no write
 * access, read-only media) is read immutable, with a "read-only" note. */
sqlite3 *cli_open(struct cli *c, bool write);

/* Open the database read-only and choose the run (run_arg, else the
 * newest). NULL after a message. */
sqlite3 *cli_open_run(struct cli *c, const char *run_arg, int64_t *run);

/* The run a --run argument names, or the newest run (arg NULL). 0, or -1
 * after a message. */
int cli_run_id(sqlite3 *db, const char *arg, int64_t *run_id);

/* How many metrics of the run matching GLOB are leaking; -1 on error. */
int cli_count_leaking(sqlite3 *db, int64_t run, const char *glob);

/* PATH as a file: URI (every byte but unreserved ones and '/' escaped)
 * with "?QUERY" when query is not NULL. 0, or -1 when it does not fit. */
int cli_file_uri(const char *path, const char *query, char *uri, size_t len);

/* PRAGMA SCHEMA.user_version; -1 on error. */
int cli_schema_version(sqlite3 *db, const char *schema);

/* Prepare SQL; on failure print the database's reason and return NULL. */
sqlite3_stmt *cli_prepare(sqlite3 *db, const char *sql);

/* Step the statement to the end and print its rows as an aligned table
 * with a header. Returns the number of rows, or -1 on an error. */
int cli_print_table(sqlite3_stmt *s);

#endif
