#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "db/embedded.h"
#include "db/store.h"
#include "db/views.h"

/* Views earlier gemsoaks created that no file defines any more: still
 * gemsoak's to drop. A view file removed adds its name here. */
static const char *const retired_views[] = { "trend_floors", NULL };

/* One db/views file: the view's name (the file's, without ".sql") and its
 * statement, from "CREATE VIEW" to the last ';' (excluded), trailing
 * blanks trimmed: the text SQLite keeps in sqlite_master. */
struct view_def {
	char name[64];
	const char *sql;
	int len;
};

/* Fill *v from embedded file e. 0, or -1 with err filled when the file is
 * not one CREATE VIEW statement (a build of a broken file). */
static int view_def(const struct embedded_sql *e, struct view_def *v, char *err, size_t errlen)
{
	const char *dot = strrchr(e->name, '.');
	const char *start = strstr(e->text, "CREATE VIEW ");
	const char *end = strrchr(e->text, ';');
	size_t nlen = dot ? (size_t)(dot - e->name) : strlen(e->name);
	if (!start || !end || end < start || nlen >= sizeof(v->name)) {
		snprintf(err, errlen, "views: db/views/%s is not one CREATE VIEW statement", e->name);
		return -1;
	}
	memcpy(v->name, e->name, nlen);
	v->name[nlen] = '\0';
	while (end > start && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t'))
		end--;
	v->sql = start;
	v->len = (int)(end - start);
	return 0;
}

static int drop_one(sqlite3 *db, const char *name)
{
	char *sql = sqlite3_mprintf("DROP VIEW IF EXISTS main.\"%w\"", name);
	int rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	return rc == SQLITE_OK ? 0 : -1;
}

int views_drop(sqlite3 *db)
{
	char err[128];
	for (const struct embedded_sql *e = gs_views; e->name; e++) {
		struct view_def v;
		if (view_def(e, &v, err, sizeof(err)) || drop_one(db, v.name))
			return -1;
	}
	for (const char *const *r = retired_views; *r; r++)
		if (drop_one(db, *r))
			return -1;
	return 0;
}

/* Whether main holds view v as defined: 1, 0, or -1 on an error. */
static int view_current(sqlite3 *db, const struct view_def *v)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT sql FROM main.sqlite_master WHERE type = 'view' AND name = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, v->name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), same = 0;
	if (rc == SQLITE_ROW) {
		const char *have = (const char *)sqlite3_column_text(s, 0);
		same = have && (int)strlen(have) == v->len && memcmp(have, v->sql, (size_t)v->len) == 0;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? same : -1;
}

int views_current(sqlite3 *db)
{
	char err[128];
	for (const struct embedded_sql *e = gs_views; e->name; e++) {
		struct view_def v;
		if (view_def(e, &v, err, sizeof(err)))
			return -1;
		int r = view_current(db, &v);
		if (r != 1)
			return r;
	}
	return 1;
}

/* Create the view of file e: in main, or a TEMP one ("CREATE TEMP VIEW"
 * in place of the file's "CREATE VIEW", after dropping this connection's
 * own of that name). 0, or -1 with err filled. */
static int create_one(sqlite3 *db, const struct embedded_sql *e, bool temp, char *err, size_t errlen)
{
	static const char keyword[] = "CREATE VIEW ";
	struct view_def v;
	if (view_def(e, &v, err, errlen))
		return -1;
	char *sql = temp ? sqlite3_mprintf("DROP VIEW IF EXISTS temp.\"%w\"; CREATE TEMP VIEW %.*s", v.name,
					   v.len - (int)strlen(keyword), v.sql + strlen(keyword))
			 : sqlite3_mprintf("%.*s", v.len, v.sql);
	int rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "views: db/views/%s: %s", e->name, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* create_one for every view of db/views. */
static int create_all(sqlite3 *db, bool temp, char *err, size_t errlen)
{
	for (const struct embedded_sql *e = gs_views; e->name; e++)
		if (create_one(db, e, temp, err, errlen))
			return -1;
	return 0;
}

int views_temp_one(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);
	for (const struct embedded_sql *e = gs_views; e->name; e++)
		if (strncmp(e->name, name, len) == 0 && strcmp(e->name + len, ".sql") == 0)
			return create_one(db, e, true, err, errlen);
	snprintf(err, errlen, "views: no view %s", name);
	return -1;
}

int views_install(sqlite3 *db, char *err, size_t errlen)
{
	int current = views_current(db);
	if (current == 1)
		return 0;
	if (current < 0 || sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "views: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (views_drop(db)) {
		snprintf(err, errlen, "views: %s", sqlite3_errmsg(db));
		goto fail;
	}
	if (create_all(db, false, err, errlen))
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "views: %s", sqlite3_errmsg(db));
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* PRAGMA user_version; -1 when it cannot be read. */
static int schema_version(sqlite3 *db)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA main.user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int views_install_temp(sqlite3 *db, char *err, size_t errlen)
{
	if (schema_version(db) != store_known_version())
		return 1;
	int current = views_current(db);
	if (current == 1)
		return 0;
	if (current < 0) {
		snprintf(err, errlen, "views: %s", sqlite3_errmsg(db));
		return -1;
	}
	return create_all(db, true, err, errlen);
}

int views_add_missing_temp(sqlite3 *db)
{
	static const char keyword[] = "CREATE VIEW ";
	char err[128];
	for (const struct embedded_sql *e = gs_views; e->name; e++) {
		struct view_def v;
		if (view_def(e, &v, err, sizeof(err)))
			return -1;
		char *q = sqlite3_mprintf("SELECT COUNT(*) FROM sqlite_master WHERE name = %Q", v.name);
		char *qt = sqlite3_mprintf("SELECT COUNT(*) FROM sqlite_temp_master WHERE name = %Q", v.name);
		sqlite3_stmt *s = NULL, *st = NULL;
		bool there = true;
		if (q && qt && sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, qt, -1, &st, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
		    sqlite3_step(st) == SQLITE_ROW)
			there = sqlite3_column_int(s, 0) > 0 || sqlite3_column_int(st, 0) > 0;
		sqlite3_finalize(s);
		sqlite3_finalize(st);
		sqlite3_free(q);
		sqlite3_free(qt);
		if (there)
			continue;
		/* A view reading what the older tables lack stays absent. */
		char *sql = sqlite3_mprintf("CREATE TEMP VIEW %.*s", v.len - (int)strlen(keyword),
					    v.sql + strlen(keyword));
		if (sql)
			sqlite3_exec(db, sql, NULL, NULL, NULL);
		sqlite3_free(sql);
	}
	return 0;
}
