#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/util.h"
#include "daemon/config.h"

/* The database the daemon would use: the default config's, else the
 * built-in default path. */
static void default_database(struct cli *c)
{
	snprintf(c->default_db, sizeof(c->default_db), "%s", GS_DEFAULT_DATABASE);
	if (access(GS_DEFAULT_CONFIG, R_OK) != 0)
		return;
	struct gs_config cfg;
	FILE *quiet = fopen("/dev/null", "w");
	if (quiet && config_load(GS_DEFAULT_CONFIG, &cfg, quiet) == 0)
		snprintf(c->default_db, sizeof(c->default_db), "%s", cfg.database);
	config_free(&cfg);
	if (quiet)
		fclose(quiet);
}


static void print_usage(const struct cli *c, FILE *out)
{
	fprintf(out, "usage: gemsoak %s %s\n\n%s.\n\n%s"
		"  -D, --db FILE    the database (default: the one in " GS_DEFAULT_CONFIG ",\n"
		"                   else " GS_DEFAULT_DATABASE ")\n"
		"  -h, --help       this help\n", c->cmd->name, c->cmd->usage, c->cmd->summary, c->help);
}

int cli_parse(struct cli *c, const struct cmd_entry *cmd, const char *help, int argc, char **argv,
	      int nargs, const struct option *opts, const char *shortopts, cli_option_fn on_option,
	      void *ctx)
{
	static const struct option common[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->help = help;
	optind = 1;
	int o;
	while ((o = getopt_long(argc, argv, shortopts ? shortopts : "D:h", opts ? opts : common,
				NULL)) != -1) {
		switch (o) {
		case 'D':
			c->db_path = optarg;
			break;
		case 'h':
			print_usage(c, stdout);
			return CMD_OK;
		case '?':
			print_usage(c, stderr);
			return CMD_ERROR;
		default: {
			int r = on_option ? on_option(ctx, o, optarg) : CMD_ERROR;
			if (r)
				return r;
		}
		}
	}
	if (nargs == 0 && optind < argc)
		return cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (nargs > 0 && argc - optind != nargs)
		return cli_usage_error(c, "%d argument(s) expected, %d given", nargs, argc - optind);
	return -1;
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gemsoak %s: ", c->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_usage(c, stderr);
	return CMD_ERROR;
}

sqlite3 *cli_open(struct cli *c, bool write)
{
	const char *path = c->db_path;
	if (!path) {
		default_database(c);
		path = c->default_db;
	}
	if (!write && access(path, R_OK) != 0) {
		fprintf(stderr, "gemsoak %s: %s: %s\n", c->cmd->name, path, strerror(errno));
		return NULL;
	}
	sqlite3 *db;
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		fprintf(stderr, "gemsoak %s: %s: %s\n", c->cmd->name, path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	/* A database without the trend views is not one of ours (or too old). */
	if (sqlite3_exec(db, "SELECT 1 FROM leak_trends LIMIT 0", NULL, NULL, NULL) != SQLITE_OK &&
	    !write) {
		fprintf(stderr, "gemsoak %s: %s: not a gemsoak database: %s\n", c->cmd->name, path,
			sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3_stmt *cli_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "gemsoak: %s: %s\n", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		return NULL;
	}
	return s;
}

sqlite3 *cli_open_run(struct cli *c, const char *run_arg, int64_t *run)
{
	sqlite3 *db = cli_open(c, false);
	if (db && cli_run_id(db, run_arg, run)) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

int cli_run_id(sqlite3 *db, const char *arg, int64_t *run_id)
{
	if (arg && !parse_int64(arg, 1, INT64_MAX, run_id)) {
		fprintf(stderr, "gemsoak: --run: '%s' is not a run number (see `gemsoak runs`)\n", arg);
		return -1;
	}
	sqlite3_stmt *s = cli_prepare(db, arg ? "SELECT id FROM runs WHERE id = ?"
					      : "SELECT id FROM runs ORDER BY id DESC LIMIT 1");
	if (!s)
		return -1;
	if (arg)
		sqlite3_bind_int64(s, 1, *run_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*run_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		if (arg)
			fprintf(stderr, "gemsoak: run %s is not in the database (see `gemsoak runs`)\n", arg);
		else
			fprintf(stderr, "gemsoak: the database has no run yet\n");
		return -1;
	}
	return 0;
}

/* Rows are kept as strings until every width is known. */
struct table {
	char **cell;
	size_t ncols, nrows, cap;
};

static int table_add(struct table *t, sqlite3_stmt *s)
{
	if ((t->nrows + 1) * t->ncols > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : t->ncols * 64;
		char **n = realloc(t->cell, cap * sizeof(*n));
		if (!n)
			return -1;
		t->cell = n;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const char *v = (const char *)sqlite3_column_text(s, (int)i);
		char num[64];
		if (sqlite3_column_type(s, (int)i) == SQLITE_FLOAT) {
			/* %g keeps slopes readable: 0.1, 1234.5, 1.2e+09. */
			snprintf(num, sizeof(num), "%.10g", sqlite3_column_double(s, (int)i));
			v = num;
		}
		t->cell[t->nrows * t->ncols + i] = strdup(v ? v : "");
	}
	t->nrows++;
	return 0;
}

int cli_print_table(sqlite3_stmt *s)
{
	struct table t = { .ncols = (size_t)sqlite3_column_count(s) };
	int rc, rows = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (table_add(&t, s) == 0)
			rows++;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak: %s\n", sqlite3_errmsg(sqlite3_db_handle(s)));
		rows = -1;
	}
	size_t *w = calloc(t.ncols, sizeof(*w));
	for (size_t i = 0; w && i < t.ncols; i++) {
		w[i] = strlen(sqlite3_column_name(s, (int)i));
		for (size_t r = 0; r < t.nrows; r++) {
			size_t l = strlen(t.cell[r * t.ncols + i]);
			w[i] = l > w[i] ? l : w[i];
		}
	}
	if (w && rows > 0) {
		for (size_t i = 0; i < t.ncols; i++)
			printf("%-*s%s", (int)w[i], sqlite3_column_name(s, (int)i), i + 1 < t.ncols ? "  " : "\n");
		for (size_t r = 0; r < t.nrows; r++)
			for (size_t i = 0; i < t.ncols; i++)
				printf("%-*s%s", i + 1 < t.ncols ? (int)w[i] : 0, t.cell[r * t.ncols + i],
				       i + 1 < t.ncols ? "  " : "\n");
	}
	for (size_t i = 0; i < t.nrows * t.ncols; i++)
		free(t.cell[i]);
	free(t.cell);
	free(w);
	return rows;
}

int cli_count_leaking(sqlite3 *db, int64_t run, const char *glob)
{
	/* gemsoakd's own footprint (scope 'daemon') is judged apart: it is
	 * never "the kernel leaks". */
	sqlite3_stmt *s = cli_prepare(db, "SELECT COUNT(*) FROM leak_trends WHERE run_id = ?1"
				      " AND metric GLOB ?2 AND verdict = 'leaking' AND scope = 'kernel'");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, glob, -1, SQLITE_STATIC);
	int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}
