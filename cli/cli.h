/* What the gemsoak commands share: their parsed command line, opening
 * the database, choosing a run, and printing query results as a table. */
#ifndef GS_CLI_CLI_H
#define GS_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "cli/cmd.h"

/* Options of all commands together, and their values. */
#define CLI_MAX_OPTIONS 24

/* How a command prints its rows (CMD_FORMATS commands). */
enum cli_format {
	CLI_TABLE,  /* aligned columns with a header, for people */
	CLI_JSON,   /* one JSON object (gemsoak(1), JSON AND CSV OUTPUT) */
	CLI_CSV,    /* RFC 4180 rows with a header */
};

/* A command line, parsed against the command's declaration (cli/args.c). */
struct cli {
	const struct cmd_entry *cmd;
	const struct cmd_option *opt[CLI_MAX_OPTIONS]; /* the common options, then the command's */
	const char *value[CLI_MAX_OPTIONS];  /* per opt: its argument, "" for a flag; NULL: not given */
	size_t nopts;
	int argc;               /* the positional arguments */
	char **argv;
	enum cli_format format;
	const char *db_path;    /* -D/--db, else the daemon's configured database */
	char default_db[512];
};

/* Parse a command's argv (argv[0] is its last name word) against its
 * entry: options, their aliases, required ones, the number of positional
 * arguments; --help prints the command's help. Returns -1 when the command
 * goes on, else the exit status to return now (after a message). */
int cli_parse(struct cli *c, const struct cmd_entry *cmd, int argc, char **argv);

/* The command's --help (usage line, description, options, exit status). */
void cli_print_help(const struct cmd_entry *cmd, FILE *out);

/* The argument of option NAME (long name), "" for a flag given, NULL when
 * not given. NAME must be one the command declares. */
const char *cli_opt(const struct cli *c, const char *name);

/* Print "gemsoak COMMAND: MESSAGE" on stderr; COMMAND is the one parsed
 * last (plain "gemsoak" before any). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same, then the command's usage line; returns CMD_ERROR. */
int cli_usage_error(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The database path the command reads: --db, else the daemon's. */
const char *cli_db_path(struct cli *c);

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

/* Whether the database has the table NAME (an older schema may not): 1,
 * 0, or -1 after a message. */
int cli_has_table(sqlite3 *db, const char *name);

/* Prepare SQL; on failure print the database's reason and return NULL. */
sqlite3_stmt *cli_prepare(sqlite3 *db, const char *sql);

/* Step the statement to the end and print its rows as an aligned table
 * with a header. Returns the number of rows, or -1 on an error. */
int cli_print_table(sqlite3_stmt *s);

#endif
