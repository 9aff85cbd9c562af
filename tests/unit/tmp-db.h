/* A database of its own for each cmocka test: setup() picks a fresh name
 * in /tmp (no file there yet), teardown() removes the database and its
 * -wal and -shm; db_int() reads one number from it. Include after
 * <cmocka.h>. */
#ifndef GS_TEST_TMP_DB_H
#define GS_TEST_TMP_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

static char dbpath[64];

static int setup(void **state)
{
	snprintf(dbpath, sizeof(dbpath), "/tmp/gs-test-db-XXXXXX");
	int fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
	return 0;
}

static int teardown(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < 3; i++) {
		char file[96];
		snprintf(file, sizeof(file), "%s%s", dbpath, suffixes[i]);
		unlink(file);
	}
	return 0;
}

/* The integer the one-row query sql gives on db (the test fails if none). */
static inline int db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

#endif
