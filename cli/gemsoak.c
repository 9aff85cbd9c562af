/* gemsoak: the command-line front end. git-style subcommands; each lives in
 * its own cli/cmd-*.c file, declares its options in its struct cmd_entry
 * and is listed in cmd_table below; its command line is parsed here, once
 * (cli/args.c), before it runs. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

/* Commands register here as they are added (cli/cmd-*.c). */
static const struct cmd_entry *const cmd_table[] = {
	&cmd_status,
	&cmd_findings,
	&cmd_trends,
	&cmd_gate,
	&cmd_events,
	&cmd_anomalies,
	&cmd_origins,
	&cmd_runs,
	&cmd_compare,
	&cmd_report,
	&cmd_export,
	&cmd_merge,
	&cmd_kernel_check_entry,
	&cmd_kernel_apply_entry,
	NULL,
};

/* Whether NAME's first word is GROUP ("kernel" of "kernel check"). */
static bool in_group(const char *name, const char *group)
{
	size_t n = strlen(group);
	return strncmp(name, group, n) == 0 && name[n] == ' ';
}

/* The commands of GROUP (NULL: all of them). */
static void list_commands(FILE *out, const char *group)
{
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		if (!group || in_group((*c)->name, group))
			fprintf(out, "  %-16s %s\n", (*c)->name, (*c)->summary);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: gemsoak COMMAND [ARGS]\n       gemsoak help [COMMAND]\n"
		"       gemsoak --version\n\ncommands:\n");
	list_commands(out, NULL);
	fprintf(out, "\n`gemsoak help COMMAND` (or `gemsoak COMMAND --help`) describes one command.\n"
		"Exit status: 0 done, 1 a check found something, 2 error (gemsoak(1)).\n");
}

static void group_usage(FILE *out, const char *group)
{
	fprintf(out, "usage: gemsoak %s COMMAND [ARGS]\n\ncommands:\n", group);
	list_commands(out, group);
	fprintf(out, "\n`gemsoak help %s COMMAND` describes one command.\n", group);
}

static bool is_group(const char *word)
{
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		if (in_group((*c)->name, word))
			return true;
	return false;
}

/* Commands may be one word ("trends") or two ("kernel check"). */
static const struct cmd_entry *find_command(int argc, char **argv, int *used)
{
	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		const char *name = (*c)->name;
		if (strcmp(name, argv[0]) == 0) {
			*used = 1;
			return *c;
		}
		if (argc >= 2 && in_group(name, argv[0]) && strcmp(name + strlen(argv[0]) + 1, argv[1]) == 0) {
			*used = 2;
			return *c;
		}
	}
	return NULL;
}

/* Words that name no command: a group alone (or with --help, or after
 * `help`) prints the group's commands; anything else is an error. */
static int unknown(int argc, char **argv, bool after_help)
{
	if (is_group(argv[0])) {
		bool asked = after_help ? argc == 1
					: argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
		if (asked) {
			group_usage(stdout, argv[0]);
			return CMD_OK;
		}
		if (argc >= 2)
			fprintf(stderr, "gemsoak %s: unknown command '%s'\n", argv[0], argv[1]);
		group_usage(stderr, argv[0]);
		return CMD_ERROR;
	}
	fprintf(stderr, "gemsoak%s: unknown command '%s'\n", after_help ? " help" : "", argv[0]);
	usage(stderr);
	return CMD_ERROR;
}

/* gemsoak help [COMMAND]: the same as `gemsoak COMMAND --help`. */
static int help(int argc, char **argv)
{
	if (argc == 0) {
		usage(stdout);
		return CMD_OK;
	}
	int used = 0;
	const struct cmd_entry *cmd = find_command(argc, argv, &used);
	if (!cmd)
		return unknown(argc, argv, true);
	if (used != argc) {
		fprintf(stderr, "gemsoak help: unexpected argument '%s'\n", argv[used]);
		return CMD_ERROR;
	}
	cli_print_help(cmd, stdout);
	return CMD_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CMD_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CMD_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("gemsoak %s\n", GS_VERSION);
		return CMD_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 2, argv + 2);
	int used = 0;
	const struct cmd_entry *cmd = find_command(argc - 1, argv + 1, &used);
	if (!cmd)
		return unknown(argc - 1, argv + 1, false);
	/* Hand the parser the command's own argv, from its (last) name word. */
	struct cli c;
	int r = cli_parse(&c, cmd, argc - used, argv + used);
	return r >= 0 ? r : cmd->exec(&c);
}
