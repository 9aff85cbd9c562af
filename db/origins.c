/* The object origins into the store. The latest state of each group is
 * kept in a TEMP table of the daemon's connection (filled once per run
 * from object_origins), so a round compares against it instead of
 * searching the run's history; TEMP tables share the main database's
 * transactions, so a round rolled back leaves both as they were. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>

#include "db/origins.h"

static const char setup_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS origin_last (run_id INTEGER, kind TEXT, workload TEXT, comm TEXT,"
	" stack_id INTEGER, alive INTEGER, alive_bytes INTEGER,"
	" PRIMARY KEY (run_id, kind, workload, comm, stack_id));"
	"CREATE TEMP TABLE IF NOT EXISTS origin_round (kind TEXT, workload TEXT, comm TEXT,"
	" stack_id INTEGER, alive INTEGER, alive_bytes INTEGER,"
	" PRIMARY KEY (kind, workload, comm, stack_id));"
	"DELETE FROM temp.origin_round;";

/* A continued run (a restarted daemon) starts from what it stored. */
static const char fill_sql[] =
	"INSERT INTO temp.origin_last"
	" SELECT o.run_id, o.kind, o.workload, o.comm, o.stack_id, o.alive, o.alive_bytes FROM object_origins o"
	" WHERE o.run_id = ?1 AND NOT EXISTS (SELECT 1 FROM temp.origin_last WHERE run_id = ?1)"
	"   AND o.t = (SELECT max(l.t) FROM object_origins l WHERE l.run_id = o.run_id AND l.kind = o.kind"
	"              AND l.workload = o.workload AND l.comm = o.comm AND l.stack_id = o.stack_id)";

#define SAME_GROUP(a, b) \
	a ".kind = " b ".kind AND " a ".workload = " b ".workload AND " a ".comm = " b ".comm AND " \
	a ".stack_id = " b ".stack_id"

static const char changes_sql[] =
	"INSERT INTO object_origins(run_id, t, kind, workload, comm, stack_id, alive, alive_bytes)"
	" SELECT ?1, ?2, r.kind, r.workload, r.comm, r.stack_id, r.alive, r.alive_bytes FROM temp.origin_round r"
	" WHERE NOT EXISTS (SELECT 1 FROM temp.origin_last l WHERE l.run_id = ?1 AND " SAME_GROUP("l", "r")
	"                   AND l.alive = r.alive AND l.alive_bytes = r.alive_bytes)"
	" UNION ALL"
	" SELECT ?1, ?2, l.kind, l.workload, l.comm, l.stack_id, 0, 0 FROM temp.origin_last l"
	" WHERE l.run_id = ?1 AND l.alive > 0"
	"   AND NOT EXISTS (SELECT 1 FROM temp.origin_round r WHERE " SAME_GROUP("l", "r") ")";

static const char remember_sql[] =
	"UPDATE temp.origin_last SET alive = 0, alive_bytes = 0 WHERE run_id = ?1"
	" AND NOT EXISTS (SELECT 1 FROM temp.origin_round r WHERE " SAME_GROUP("origin_last", "r") ");"
	"INSERT OR REPLACE INTO temp.origin_last SELECT ?1, * FROM temp.origin_round";

/* Run every statement of sql with ?1 = run_id, ?2 = t; 0 or -1. */
static int run_all(sqlite3 *db, const char *sql, int64_t run_id, double t)
{
	while (sql && *sql) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &s, &sql) != SQLITE_OK)
			return -1;
		if (!s)
			break; /* trailing white space */
		if (sqlite3_bind_parameter_count(s) >= 1)
			sqlite3_bind_int64(s, 1, run_id);
		if (sqlite3_bind_parameter_count(s) >= 2)
			sqlite3_bind_double(s, 2, t);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* The row's stack id in origin_stacks, stored now if it is new; -1 on error. */
static int64_t stack_id(sqlite3 *db, const char *stack)
{
	sqlite3_stmt *s = NULL;
	int64_t id = -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO origin_stacks(stack) VALUES (?1)"
			       " ON CONFLICT(stack) DO UPDATE SET stack = stack RETURNING id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, stack, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

/* One row of the round into temp.origin_round; 0 or -1. */
static int put_row(sqlite3 *db, const struct origin_row *o)
{
	int64_t sid = stack_id(db, o->stack);
	sqlite3_stmt *s = NULL;
	if (sid < 0 || sqlite3_prepare_v2(db, "INSERT INTO temp.origin_round VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
					  " ON CONFLICT DO UPDATE SET alive = alive + excluded.alive,"
					  " alive_bytes = alive_bytes + excluded.alive_bytes", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, o->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, o->workload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, o->comm, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, sid);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)o->alive);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)o->alive_bytes);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_origins(struct store *st, int64_t run_id, double t, const struct origin_rows *r)
{
	sqlite3 *db = store_db(st);
	if (!db || sqlite3_exec(db, "SAVEPOINT origins", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	int rc = run_all(db, setup_sql, run_id, t) || run_all(db, fill_sql, run_id, t) ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		rc = put_row(db, &r->row[i]);
	if (rc == 0)
		rc = run_all(db, changes_sql, run_id, t) || run_all(db, remember_sql, run_id, t) ? -1 : 0;
	sqlite3_exec(db, rc ? "ROLLBACK TO origins; RELEASE origins" : "RELEASE origins", NULL, NULL, NULL);
	return rc;
}

int store_origins_recorded(sqlite3 *db)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'object_origins'",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	int r = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) > 0 : -1;
	sqlite3_finalize(s);
	return r;
}

int store_origins_since(sqlite3 *db, int64_t run, const char *kind, double since,
			int (*row)(void *arg, const struct origin_growth *g), void *arg, char *err, size_t errlen)
{
	/* The baseline: the origin's last row by then, or by the run's first
	 * row if the tracing began later (the objects made before it are in
	 * no row, so the pools alive then are not growth); object_origins
	 * keeps a row per change, its index leads to it. */
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db,
		"SELECT o.kind, o.workload, o.comm, o.stack, o.alive, COALESCE((SELECT b.alive FROM object_origins b"
		" WHERE b.run_id = o.run_id AND b.kind = o.kind AND b.workload = o.workload AND b.comm = o.comm"
		" AND b.stack_id = (SELECT id FROM origin_stacks WHERE stack = o.stack)"
		" AND b.t <= max((SELECT started FROM runs WHERE id = ?1) + ?3,"
		"                (SELECT min(t) FROM object_origins WHERE run_id = ?1))"
		" ORDER BY b.t DESC LIMIT 1), 0) FROM origins o WHERE o.run_id = ?1 AND o.kind = ?2",
		-1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "origins of run %lld: %s", (long long)run, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	if (!isnan(since))
		sqlite3_bind_double(s, 3, since);
	int rc, r = 0;
	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t[4];
		for (int i = 0; i < 4; i++) {
			t[i] = (const char *)sqlite3_column_text(s, i);
			t[i] = t[i] ? t[i] : "";
		}
		struct origin_growth g = { .kind = t[0], .workload = t[1], .comm = t[2], .stack = t[3],
					   .alive = sqlite3_column_double(s, 4), .base = sqlite3_column_double(s, 5) };
		r = row(arg, &g);
	}
	if (r == 0 && rc != SQLITE_DONE) {
		snprintf(err, errlen, "origins of run %lld: %s", (long long)run, sqlite3_errmsg(db));
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}
