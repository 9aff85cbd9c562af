#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/judge.h"
#include "common/defaults.h"
#include "common/util.h"
#include "db/store.h"
#include "db/views.h"

const char *cli_db_path(struct cli *c)
{
	if (c->db_path)
		return c->db_path;
	if (!c->default_db[0])
		gs_default_database(NULL, c->default_db, sizeof(c->default_db));
	return c->default_db;
}

int cli_file_uri(const char *path, const char *query, char *uri, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	if (!fmt_ok(uri, len, "file:"))
		return -1;
	n = strlen(uri);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		/* Unreserved characters and '/' as they are, the rest %XX. */
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~/", *p);
		if (n + 4 >= len)
			return -1;
		if (plain) {
			uri[n++] = (char)*p;
		} else {
			uri[n++] = '%';
			uri[n++] = hex[*p >> 4];
			uri[n++] = hex[*p & 15];
		}
	}
	uri[n] = '\0';
	if (query && !fmt_ok(uri + n, len - n, "?%s", query))
		return -1;
	return 0;
}

int cli_schema_version(sqlite3 *db, const char *schema)
{
	char sql[64];
	sqlite3_stmt *s;
	int v = -1;
	snprintf(sql, sizeof(sql), "PRAGMA %s.user_version", schema);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return v;
}

/* A database older than schema 12 has no events.repeats (each row is one
 * event): TEMP views, which come first when a name is looked up, give
 * its events and the anomaly views a repeats of 1, so that every count
 * reads alike. 0, or -1 when SQLite cannot. */
static int repeats_of_one(sqlite3 *db)
{
	static const char *const names[] = { "events", "anomalies", "lateness", NULL };
	for (int i = 0; names[i]; i++) {
		char *q = sqlite3_mprintf("SELECT (SELECT COUNT(*) FROM sqlite_master WHERE name = %Q),"
					  " (SELECT COUNT(*) FROM pragma_table_info(%Q) WHERE name = 'repeats')",
					  names[i], names[i]);
		sqlite3_stmt *s;
		bool add = false;
		if (!q || sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK) {
			sqlite3_free(q);
			return -1;
		}
		if (sqlite3_step(s) == SQLITE_ROW)
			add = sqlite3_column_int(s, 0) > 0 && sqlite3_column_int(s, 1) == 0;
		sqlite3_finalize(s);
		sqlite3_free(q);
		char *v = add ? sqlite3_mprintf("CREATE TEMP VIEW \"%w\" AS SELECT *, 1 AS repeats FROM main.\"%w\"",
						 names[i], names[i]) : NULL;
		int rc = v ? sqlite3_exec(db, v, NULL, NULL, NULL) : SQLITE_OK;
		sqlite3_free(v);
		if (add && rc != SQLITE_OK)
			return -1;
	}
	return 0;
}

/* Open PATH read-only through a URI with QUERY, with this gemsoak's views
 * (TEMP ones when the file's are older); NULL when SQLite cannot, or when
 * the file is not a readable gemsoak database (why says). */
static sqlite3 *open_ro(const char *path, const char *query, char *why, size_t whylen)
{
	char uri[4200];
	sqlite3 *db = NULL;
	if (cli_file_uri(path, query, uri, sizeof(uri))) {
		snprintf(why, whylen, "file name too long");
		return NULL;
	}
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		snprintf(why, whylen, "%s", db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	int own = store_check_owner(db, why, whylen);
	char verr[256];
	int views = own > 0 ? views_install_temp(db, verr, sizeof(verr)) : 0;
	if (own == 0)
		snprintf(why, whylen, "not a gemsoak database (empty)");
	else if (views < 0)
		snprintf(why, whylen, "%s", verr);
	else if (own > 0 && repeats_of_one(db))
		snprintf(why, whylen, "events: %s", sqlite3_errmsg(db));
	else if (views == 1 && views_add_missing_temp(db))
		snprintf(why, whylen, "views: %s", sqlite3_errmsg(db));
	else if (own > 0 && sqlite3_exec(db, "SELECT 1 FROM leak_trends LIMIT 0", NULL, NULL, NULL) != SQLITE_OK)
		snprintf(why, whylen, "not a gemsoak database (or too old): %s", sqlite3_errmsg(db));
	else if (own > 0)
		return db;
	sqlite3_close(db);
	return NULL;
}

/* Why SQLite could not read the database where it would need to write:
 * the WAL's -shm cannot be created (no write access, read-only media). */
static bool needs_shm(const char *why)
{
	return strstr(why, "unable to open") || strstr(why, "readonly") || strstr(why, "read-only") ||
	       strstr(why, "disk I/O");
}

sqlite3 *cli_open(struct cli *c, bool write)
{
	const char *path = cli_db_path(c);
	if (!write && access(path, R_OK) != 0) {
		fprintf(stderr, "gemsoak %s: %s: %s\n", c->cmd->name, path, strerror(errno));
		return NULL;
	}
	sqlite3 *db;
	if (write) {
		/* URI: merge ATTACHes its inputs read-only by file: URIs. */
		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
				    NULL) != SQLITE_OK) {
			fprintf(stderr, "gemsoak %s: %s: %s\n", c->cmd->name, path, sqlite3_errmsg(db));
			sqlite3_close(db);
			return NULL;
		}
		sqlite3_busy_timeout(db, 5000);
		return db;
	}
	char why[512] = "", why_imm[512] = "";
	/* before any connection to path: a close would drop SQLite's locks */
	int held = store_lock_held(path);
	db = open_ro(path, "mode=ro", why, sizeof(why));
	if (!db && needs_shm(why)) {
		/* immutable=1 reads the file as it is, without -shm; a WAL left
		 * by a crash is not read then, so say what may be missing. */
		db = open_ro(path, "immutable=1", why_imm, sizeof(why_imm));
		if (db) {
			char wal[600];
			struct stat sb;
			snprintf(wal, sizeof(wal), "%s-wal", path);
			bool has_wal = stat(wal, &sb) == 0 && sb.st_size > 0;
			fprintf(stderr, "gemsoak %s: %s: read-only (SQLite cannot create its -shm file"
				" there); reading the file as it is%s\n", c->cmd->name, path, has_wal ? ", without its -wal file (the last rounds"
				" a daemon wrote before it stopped may be missing)" : "");
		}
	}
	if (!db) {
		fprintf(stderr, "gemsoak %s: %s: %s\n", c->cmd->name, path, why);
		return NULL;
	}
	if (cli_judge_stale(db, path, held, why, sizeof(why))) {
		fprintf(stderr, "gemsoak %s: %s: %s\n", c->cmd->name, path, why);
		sqlite3_close(db);
		return NULL;
	}
	int v = cli_schema_version(db, "main");
	/* from schema 9 on, its runs are judged by this gemsoak (cli/judge.h) */
	if (v >= 0 && v < 9)
		fprintf(stderr, "gemsoak %s: %s: note: database schema version %d is older than this"
			" gemsoak's (%d): judged by the method of the gemsoak that made it (gemsoakd or"
			" gemsoak merge, which write to it, bring it up to date)\n", c->cmd->name, path, v,
			store_known_version());
	if (v > store_known_version())
		fprintf(stderr, "gemsoak %s: %s: warning: database schema version %d is newer than this"
			" gemsoak (%d); what it shows may be incomplete\n", c->cmd->name, path, v,
			store_known_version());
	return db;
}

sqlite3_stmt *cli_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		cli_error("%s: %s", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		return NULL;
	}
	return s;
}

int cli_has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s = cli_prepare(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) > 0 : -1;
	if (r < 0)
		cli_error("%s: %s", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return r;
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
		cli_error("--run: '%s' is not a run number (see `gemsoak runs`)", arg);
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
			cli_error("run %s is not in the database (see `gemsoak runs`)", arg);
		else
			cli_error("the database has no run yet");
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
		cli_error("%s", sqlite3_errmsg(sqlite3_db_handle(s)));
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
