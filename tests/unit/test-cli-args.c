/* cli/args.c: a command line parsed against a command's declaration:
 * letters and long names, flags, a deprecated alias (warns, then sets its
 * option), required options, the number of positional arguments, and the
 * messages, each naming the command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"

static int exec_nothing(struct cli *c)
{
	(void)c;
	return 0;
}

static const struct cmd_option opts[] = {
	{ .name = "run", .letter = 'r', .arg = "N", .help = "the run" },
	{ .name = "last", .arg = "N", .help = "how many" },
	{ .name = "force", .letter = 'f', .help = "replace" },
	{ .name = "database", .letter = 'd', .arg = "FILE", .alias_of = "db" },
	{ .name = "out", .letter = 'o', .arg = "FILE", .help = "where", .required = true },
	{ NULL },
};

static const struct cmd_entry cmd = {
	.name = "probe",
	.summary = "A command for the test",
	.args = "A [B]",
	.min_args = 1,
	.max_args = 2,
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = opts,
	.exec = exec_nothing,
};

static char errbuf[4096];

/* Parse ARGS (NULL-terminated, after the command word) with stderr caught
 * in errbuf. */
static int parse(struct cli *c, ...)
{
	static char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, c);
	argv[argc++] = "probe";
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stderr);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	int r = cli_parse(c, &cmd, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(errbuf, 1, sizeof(errbuf) - 1, tmp);
	errbuf[n] = '\0';
	fclose(tmp);
	return r;
}

static void options_and_arguments(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "-r", "3", "--last", "5", "-f", "-o", "x.html", "one", "-D", "a.db", NULL), -1);
	assert_string_equal(cli_opt(&c, "run"), "3");
	assert_string_equal(cli_opt(&c, "last"), "5");
	assert_string_equal(cli_opt(&c, "force"), "");
	assert_string_equal(cli_opt(&c, "out"), "x.html");
	assert_string_equal(c.db_path, "a.db");
	assert_int_equal(c.argc, 1);
	assert_string_equal(c.argv[0], "one");
	assert_int_equal(c.format, CLI_TABLE);
	assert_string_equal(errbuf, "");
	assert_int_equal(parse(&c, "--out=y", "--run=4", "one", "two", "--json", NULL), -1);
	assert_string_equal(cli_opt(&c, "run"), "4");
	assert_null(cli_opt(&c, "force"));
	assert_null(c.db_path);
	assert_int_equal(c.argc, 2);
	assert_int_equal(c.format, CLI_JSON);
}

static void deprecated_alias(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "-o", "x", "-d", "old.db", "one", NULL), -1);
	assert_string_equal(c.db_path, "old.db");
	assert_non_null(strstr(errbuf, "gemsoak probe: warning: -d/--database is deprecated"));
	assert_non_null(strstr(errbuf, "use -D/--db"));
	assert_int_equal(parse(&c, "-o", "x", "--database", "old2.db", "one", NULL), -1);
	assert_string_equal(c.db_path, "old2.db");
}

static void errors_name_the_command(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "one", NULL), CMD_ERROR);
	assert_int_equal(strncmp(errbuf, "gemsoak probe: --out FILE is needed\n", 36), 0);
	assert_int_equal(parse(&c, "-o", "x", NULL), CMD_ERROR);
	assert_int_equal(strncmp(errbuf, "gemsoak probe: A [B] expected, 0 given\n", 39), 0);
	assert_int_equal(parse(&c, "-o", "x", "1", "2", "3", NULL), CMD_ERROR);
	assert_non_null(strstr(errbuf, "3 given"));
	assert_int_equal(parse(&c, "-o", "x", "1", "--frob", NULL), CMD_ERROR);
	assert_int_equal(strncmp(errbuf, "gemsoak probe: unknown option '--frob'\n", 39), 0);
	assert_int_equal(parse(&c, "-o", "x", "1", "-z", NULL), CMD_ERROR);
	assert_int_equal(strncmp(errbuf, "gemsoak probe: unknown option '-z'\n", 35), 0);
	assert_int_equal(parse(&c, "1", "-o", NULL), CMD_ERROR);
	assert_int_equal(strncmp(errbuf, "gemsoak probe: option '-o' needs an argument\n", 45), 0);
	assert_int_equal(parse(&c, "1", "-o", "x", "--last", NULL), CMD_ERROR);
	assert_int_equal(strncmp(errbuf, "gemsoak probe: option '--last' needs an argument\n", 49), 0);
	assert_int_equal(parse(&c, "1", "-o", "x", "--json", "--csv", NULL), CMD_ERROR);
	assert_non_null(strstr(errbuf, "--json and --csv: one or the other"));
	/* Every error shows the usage line, generated from the declaration. */
	assert_non_null(strstr(errbuf, "usage: gemsoak probe [-D FILE] [--json | --csv] [--run N] [--last N]"
				       " [--force] --out FILE A [B]\n"));
}

static void help_is_not_an_error(void **state)
{
	struct cli c;
	fflush(stdout);
	FILE *tmp = tmpfile();
	int saved = dup(1);
	dup2(fileno(tmp), 1);
	int r = parse(&c, "--help", NULL);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	char out[4096];
	size_t n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	assert_int_equal(r, CMD_OK);
	assert_string_equal(errbuf, "");
	assert_int_equal(strncmp(out, "usage: gemsoak probe ", 21), 0);
	assert_non_null(strstr(out, "\n  -r, --run N            the run\n"));
	assert_non_null(strstr(out, "\n      --last N           how many\n"));
	assert_null(strstr(out, "--database")); /* the alias is not listed */
	assert_non_null(strstr(out, "\nExit status: 0 done, 2 error.\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_and_arguments),
		cmocka_unit_test(deprecated_alias),
		cmocka_unit_test(errors_name_the_command),
		cmocka_unit_test(help_is_not_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
