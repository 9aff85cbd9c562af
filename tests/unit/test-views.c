/* Views are code (db/views.h): every opening puts this gemsoak's views in
 * place, in the file for a writer, as TEMP views for a reader, and leaves
 * a user's own views alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/embedded.h"
#include "db/store.h"
#include "db/views.h"
#include "tests/unit/tmp-db.h"

static void open_and_close_store(void)
{
	struct store *st;
	char err[256];
	if (store_open(dbpath, &st, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	store_close(st);
}

static void exec_sql(const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		print_error("%s: %s\n", sql, sqlite3_errmsg(db));
		fail();
	}
	sqlite3_close(db);
}

/* The number of columns `SELECT * FROM view` has on connection db; -1 when
 * it cannot be prepared. */
static int columns_of(sqlite3 *db, const char *view)
{
	char sql[128];
	sqlite3_stmt *s;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" LIMIT 0", view);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	int n = sqlite3_column_count(s);
	sqlite3_finalize(s);
	return n;
}

/* What an older gemsoak left: a leak_trends of another day (one column),
 * no anomalies view at all, and a view of the user's own. */
static const char old_views[] =
	"DROP VIEW leak_trends; CREATE VIEW leak_trends AS SELECT 'leaking' AS verdict;"
	"DROP VIEW anomalies;"
	"CREATE VIEW my_view AS SELECT 42 AS answer;";

/* Every file of db/views is one view, and each reads only what exists. */
static void every_view_file_is_a_working_view(void **state)
{
	open_and_close_store();
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(views_current(db), 1);
	int n = 0;
	for (const struct embedded_sql *e = gs_views; e->name; e++, n++) {
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(strchr(e->name, '.') - e->name), e->name);
		if (columns_of(db, name) < 1) {
			print_error("db/views/%s: %s\n", e->name, sqlite3_errmsg(db));
			fail();
		}
	}
	printf("%d views, all current and readable\n", n);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view'"), n);
	sqlite3_close(db);
}

/* A writer's opening replaces the views an older gemsoak left, and keeps
 * the user's own. */
static void a_writer_gets_todays_views(void **state)
{
	open_and_close_store();
	exec_sql(old_views);
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	int before = columns_of(db, "leak_trends");
	assert_int_equal(views_current(db), 0);
	sqlite3_close(db);

	open_and_close_store();
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	int after = columns_of(db, "leak_trends");
	printf("leak_trends of an older gemsoak: %d column(s); after opening: %d\n", before, after);
	assert_int_equal(before, 1);
	assert_true(after > 20);
	assert_int_equal(views_current(db), 1);
	assert_true(columns_of(db, "anomalies") > 0);
	assert_int_equal(db_int(db, "SELECT answer FROM my_view"), 42);
	sqlite3_close(db);
}

/* A database of schema 6, whose 0007 and 0008 are still to come: they run
 * with the views of their day, then today's are put in place. */
static void an_older_schema_is_migrated_to_todays_views(void **state)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (int v = 0; v < 6; v++)
		assert_int_equal(sqlite3_exec(db, gs_migrations[v].text, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 6", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(views_current(db), 0);
	sqlite3_close(db);

	open_and_close_store();
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(db_int(db, "PRAGMA user_version"), store_known_version());
	assert_int_equal(views_current(db), 1);
	sqlite3_close(db);
}

/* A reader gets today's views as TEMP ones and writes nothing: the file
 * keeps the older views for any other connection. */
static void a_reader_gets_todays_views_in_memory(void **state)
{
	open_and_close_store();
	exec_sql(old_views);
	sqlite3 *db, *other;
	char err[256];
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(views_install_temp(db, err, sizeof(err)), 0);
	int mine = columns_of(db, "leak_trends");
	assert_int_equal(sqlite3_open_v2(dbpath, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	int others = columns_of(other, "leak_trends");
	printf("leak_trends for the reader: %d columns; in the file: %d\n", mine, others);
	assert_true(mine > 20);
	assert_int_equal(others, 1);
	assert_int_equal(views_current(other), 0);
	assert_true(columns_of(db, "anomalies") > 0);
	assert_int_equal(db_int(db, "SELECT answer FROM my_view"), 42);
	sqlite3_close(other);
	sqlite3_close(db);
}

/* A reader cannot migrate: a database of schema 6 (no verdicts table,
 * which today's leak_trends reads) keeps its own views, and they work. */
static void a_reader_of_an_older_schema_keeps_its_views(void **state)
{
	sqlite3 *db;
	char err[256];
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (int v = 0; v < 6; v++)
		assert_int_equal(sqlite3_exec(db, gs_migrations[v].text, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 6", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	int rc = views_install_temp(db, err, sizeof(err));
	int cols = columns_of(db, "leak_trends");
	printf("schema 6 read-only: leak_trends of its day, %d columns\n", cols);
	assert_true(cols > 20);
	assert_int_equal(rc, 1);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM leak_trends"), 0);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_view_file_is_a_working_view, setup, teardown),
		cmocka_unit_test_setup_teardown(a_writer_gets_todays_views, setup, teardown),
		cmocka_unit_test_setup_teardown(an_older_schema_is_migrated_to_todays_views, setup, teardown),
		cmocka_unit_test_setup_teardown(a_reader_gets_todays_views_in_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(a_reader_of_an_older_schema_keeps_its_views, setup, teardown),
	};
	return cmocka_run_group_tests_name("views", tests, NULL, NULL);
}
