/* gemsoak: the command-line front end. git-style subcommands; each lives in
 * its own cli/cmd-*.c file and is listed in cmd_table below. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/commands.h"

/* Commands register here as they are added (cli/cmd-*.c). */
static const struct cmd_entry *const cmd_table[] = {
	&cmd_status,
	&cmd_trends,
	&cmd_gate,
	&cmd_events,
	&cmd_anomalies,
	&cmd_runs,
	&cmd_compare,
	&cmd_report,
	&cmd_export,
	&cmd_merge,
	&cmd_kernel_check_entry,
	&cmd_kernel_apply_entry,
	NULL,
};

static void usage(FILE *out)
{
	fprintf(out, "usage: gemsoak COMMAND [ARGS]\n\ncommands:\n");
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		fprintf(out, "  %-16s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\n`gemsoak COMMAND --help` describes one command.\n");
}

/* Commands may be one word ("trends") or two ("kernel check"). */
static const struct cmd_entry *find_command(int argc, char **argv, int *used)
{
	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		const char *name = (*c)->name;
		const char *space = strchr(name, ' ');
		if (!space && strcmp(name, argv[0]) == 0) {
			*used = 1;
			return *c;
		}
		if (space && argc >= 2 &&
		    strncmp(name, argv[0], (size_t)(space - name)) == 0 &&
		    argv[0][space - name] == '\0' && strcmp(space + 1, argv[1]) == 0) {
			*used = 2;
			return *c;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CMD_ERROR : CMD_OK;
	}
	int used = 0;
	const struct cmd_entry *cmd = find_command(argc - 1, argv + 1, &used);
	if (!cmd) {
		fprintf(stderr, "gemsoak: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return CMD_ERROR;
	}
	/* Hand the command its own argv, starting at its (last) name word. */
	return cmd->exec(argc - used, argv + used);
}
