/* common/defaults.c: the CLI's default database is the config's [daemon]
 * database (the last one), else the built-in path; a missing, odd or
 * hostile config file falls back without hanging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/defaults.h"

static char dir[64], conf[128];

static void put(const char *text)
{
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/gs-test-defaults-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/gemsoak.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(conf);
	rmdir(dir);
	return 0;
}

static void database_of_the_daemon_section(void **state)
{
	char db[512];
	put("[daemon]\ninterval = 1s\ndatabase = /srv/a.db\n\n[workload flink-share]\nrate = 5\n");
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	assert_string_equal(db, "/srv/a.db");
	/* The last key wins, as in the daemon; other sections' keys do not count. */
	put("[daemon]\ndatabase = /srv/a.db\n[workload x]\ndatabase = /srv/no.db\n[daemon]\ndatabase = /srv/b.db\n");
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	assert_string_equal(db, "/srv/b.db");
}

/* A drop-in's [daemon] database, read after the main file as the daemon
 * reads it (conf.d/NAME.conf in name order), is the CLI's default too. */
static void database_of_a_dropin(void **state)
{
	char db[512], d[160], f[200];
	put("[daemon]\ndatabase = /srv/a.db\n");
	snprintf(d, sizeof(d), "%s/conf.d", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(f, sizeof(f), "%s/20-later.conf", d);
	FILE *w = fopen(f, "w");
	assert_non_null(w);
	fputs("[daemon]\ndatabase = /srv/dropin.db\n", w);
	fclose(w);
	snprintf(f, sizeof(f), "%s/10-earlier.conf", d);
	w = fopen(f, "w");
	assert_non_null(w);
	fputs("[daemon]\ndatabase = /srv/earlier.db\n[workload x]\ndatabase = /srv/no.db\n", w);
	fclose(w);
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	print_message("the CLI's default database with two drop-ins: %s\n", db);
	assert_string_equal(db, "/srv/dropin.db");
	unlink(f);
	snprintf(f, sizeof(f), "%s/20-later.conf", d);
	unlink(f);
	rmdir(d);
}

static void builtin_default_otherwise(void **state)
{
	char db[512];
	put("[daemon]\ninterval = 1s\n");
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	assert_string_equal(db, GS_DEFAULT_DATABASE);
	put("not an ini file at all\n[[[\n");
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	assert_string_equal(db, GS_DEFAULT_DATABASE);
	unlink(conf);
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	assert_string_equal(db, GS_DEFAULT_DATABASE);
	/* A FIFO would block a plain fopen for ever. */
	assert_int_equal(mkfifo(conf, 0600), 0);
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), 0);
	assert_string_equal(db, GS_DEFAULT_DATABASE);
	unlink(conf);
}

static void too_long_is_refused(void **state)
{
	/* The built-in path (28 bytes) fits in 30, the configured one (31) not. */
	char db[30];
	put("[daemon]\ndatabase = /a/path/longer/than/sixteen.db\n");
	assert_int_equal(gs_default_database(conf, db, sizeof(db)), -1);
	assert_string_equal(db, GS_DEFAULT_DATABASE);
	char big[512];
	assert_int_equal(gs_default_database(conf, big, sizeof(big)), 0);
	assert_string_equal(big, "/a/path/longer/than/sixteen.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(database_of_the_daemon_section, setup, teardown),
		cmocka_unit_test_setup_teardown(database_of_a_dropin, setup, teardown),
		cmocka_unit_test_setup_teardown(builtin_default_otherwise, setup, teardown),
		cmocka_unit_test_setup_teardown(too_long_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
