/* A database of its own for each cmocka test: setup() picks a fresh name
 * in /tmp (no file there yet), teardown() removes the database and its
 * -wal and -shm. Include after <cmocka.h>. */
#ifndef GS_TEST_TMP_DB_H
#define GS_TEST_TMP_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

#endif
