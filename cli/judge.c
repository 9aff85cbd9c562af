#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "analysis/verdicts.h"
#include "cli/cli.h"
#include "cli/judge.h"
#include "db/store.h"
#include "db/views.h"

/* The one integer sql gives on db; dflt when it gives none. */
static int64_t int_of(sqlite3 *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *s;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return dflt;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The run a live daemon judges itself: the newest, when it has verdicts
 * of today's basis (a daemon of an older gemsoak, or one that has not
 * judged yet, leaves it to the reader); 0 for none. */
static int64_t daemons_run(sqlite3 *db, int held)
{
	char basis[GS_BASIS_MAX];
	if (held == 0 || gs_verdict_basis(db, basis, sizeof(basis)))
		return 0;
	int64_t run = int_of(db, "SELECT MAX(id) FROM runs", 0);
	char *q = sqlite3_mprintf("SELECT COUNT(*) FROM verdict_basis WHERE run_id = %lld AND basis = %Q",
				  (long long)run, basis);
	int64_t judged = q ? int_of(db, q, 0) : 0;
	sqlite3_free(q);
	return judged ? run : 0;
}

/* Whether this process may store verdicts in path: a file of its own it
 * can write, read in place (not immutable), of this gemsoak's schema. */
static bool may_store(sqlite3 *db, const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && sb.st_uid == geteuid() && access(path, W_OK) == 0 &&
	       !sqlite3_uri_boolean(sqlite3_db_filename(db, "main"), "immutable", 0) &&
	       cli_schema_version(db, "main") == store_known_version();
}

/* Judge the stale runs but skip into path itself, on a connection of its
 * own. 0, or -1 (nothing or part stored: the rest is judged in memory). */
static int store_in_file(const char *path, int64_t skip)
{
	sqlite3 *rw;
	char err[256];
	int r = -1;
	if (sqlite3_open_v2(path, &rw, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(rw, 5000);
		r = gs_store_stale_verdicts(rw, skip, NULL, err, sizeof(err));
	}
	sqlite3_close(rw);
	return r;
}

/* TEMP table name shaped as main's (its CREATE statement), holding main's
 * rows; an empty one from fallback when main has none. 0, or -1. */
static int temp_copy(sqlite3 *db, const char *name, const char *fallback)
{
	sqlite3_stmt *s;
	char *create = NULL;
	if (sqlite3_prepare_v2(db, "SELECT substr(sql, length('CREATE TABLE ') + 1) FROM main.sqlite_master"
			       " WHERE type = 'table' AND name = ?1 AND sql LIKE 'CREATE TABLE %'", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	bool in_main = sqlite3_step(s) == SQLITE_ROW;
	if (in_main)
		create = sqlite3_mprintf("DROP TABLE IF EXISTS temp.\"%w\"; CREATE TEMP TABLE %s;"
					 " INSERT INTO temp.\"%w\" SELECT * FROM main.\"%w\"", name,
					 (const char *)sqlite3_column_text(s, 0), name, name);
	else
		create = sqlite3_mprintf("DROP TABLE IF EXISTS temp.\"%w\"; CREATE TEMP TABLE %s", name, fallback);
	sqlite3_finalize(s);
	int rc = create ? sqlite3_exec(db, create, NULL, NULL, NULL) : SQLITE_NOMEM;
	sqlite3_free(create);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Judge the stale runs but skip into TEMP tables of this connection (the
 * verdicts, their basis and the findings written with them), and put
 * today's leak_trends in front of them. 0, or -1 with err filled. */
static int judge_in_memory(sqlite3 *db, int64_t skip, char *err, size_t errlen)
{
	if (temp_copy(db, "verdicts", NULL) ||
	    temp_copy(db, "verdict_basis", "verdict_basis (run_id INTEGER PRIMARY KEY, basis TEXT NOT NULL, samples INTEGER)") ||
	    temp_copy(db, "findings",
		      "findings (run_id INTEGER NOT NULL, id INTEGER NOT NULL, t REAL NOT NULL, workload TEXT,"
		      " holder TEXT, per_kcycle REAL, per_hour REAL, unit TEXT NOT NULL, lead_metric TEXT NOT NULL,"
		      " metrics TEXT NOT NULL, onset REAL, confidence REAL, attribution TEXT, summary TEXT NOT NULL,"
		      " next TEXT NOT NULL, PRIMARY KEY (run_id, id)) WITHOUT ROWID")) {
		snprintf(err, errlen, "verdicts in memory: %s", sqlite3_errmsg(db));
		return -1;
	}
	/* main's from before schema 0020 has no sample count: the copy gets
	 * one (an error when it has it already) */
	sqlite3_exec(db, "ALTER TABLE temp.verdict_basis ADD COLUMN samples INTEGER", NULL, NULL, NULL);
	/* a stale run's rows go: a metric no longer judged keeps none */
	int64_t *runs;
	size_t n;
	int rc = gs_stale_runs(db, skip, &runs, &n, err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char del[80];
		snprintf(del, sizeof(del), "DELETE FROM temp.verdicts WHERE run_id = %lld", (long long)runs[i]);
		if (sqlite3_exec(db, del, NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "verdicts in memory: %s", sqlite3_errmsg(db));
			rc = -1;
		}
	}
	if (rc == 0)
		free(runs);
	if (rc == 0)
		rc = gs_store_stale_verdicts(db, skip, NULL, err, errlen);
	return rc ? -1 : views_temp_one(db, "leak_trends", err, errlen);
}

int cli_judge_stale(sqlite3 *db, const char *path, int held, char *err, size_t errlen)
{
	int version = cli_schema_version(db, "main");
	if (version < 9)
		return 0;
	int64_t skip = daemons_run(db, held), *runs;
	size_t n;
	/* before schema 13 no basis is kept: every run is judged again */
	if (version >= 13) {
		if (gs_stale_runs(db, skip, &runs, &n, err, errlen))
			return -1;
		free(runs);
		if (n == 0)
			return 0;
		if (may_store(db, path) && store_in_file(path, skip) == 0)
			return 0;
	}
	return judge_in_memory(db, skip, err, errlen);
}
