/* gemsoak CLI: one file per command (cli/cmd-*.c), each exporting one
 * struct cmd_entry that cli/gemsoak.c lists in its table. As tmux's
 * cmd_entry, the entry declares the command's options, positional
 * arguments and help as data; cli/args.c parses them once for every
 * command, and prints its --help from them. */
#ifndef GS_CLI_CMD_H
#define GS_CLI_CMD_H

#include <stdbool.h>

/* Exit statuses shared by every command (the table in gemsoak(1)). */
enum {
	CMD_OK = 0,      /* done; for checks: nothing missing */
	CMD_FOUND = 1,   /* the check found something (a missing fix, a leak) */
	CMD_ERROR = 2,   /* usage or runtime error; message on stderr */
	CMD_CRASHED = 3, /* status: the daemon of the newest run died without stopping it */
	CMD_UNDECIDED = 77, /* gate: the run is too short for some verdict (the
			      * test harnesses' "skipped") */
};

/* One option of a command. */
struct cmd_option {
	const char *name;     /* the long name: "run" for --run */
	char letter;          /* the short option ('r'), or 0: long only */
	const char *arg;      /* its argument's name in the help ("N"); NULL: a flag */
	const char *help;     /* one line for --help; NULL: not listed */
	const char *alias_of; /* a deprecated spelling of that option: warns, then is it */
	bool required;        /* the command cannot do without it */
};

/* cmd_entry.flags */
#define CMD_DATABASE 1u /* reads a gemsoak database: -D/--db FILE */
#define CMD_FORMATS 2u  /* --json and --csv (cli/cli.h, gemsoak(1)) */

struct cli;

struct cmd_entry {
	const char *name;     /* "kernel check", "trends", ... */
	const char *summary;  /* one line for `gemsoak help` */
	const char *help;     /* more for `gemsoak help NAME`, or NULL */
	const char *synopsis; /* the options part of the usage line, when the
				 generated one cannot say it (either/or); or NULL */
	const char *args;     /* positional arguments for the usage line, or NULL */
	int min_args, max_args; /* how many positional arguments; max -1: no limit */
	unsigned flags;       /* CMD_DATABASE, CMD_FORMATS */
	const struct cmd_option *options; /* its own options, ending with { NULL } */
	const char *exit_status; /* what its exit statuses mean, for --help */
	int (*exec)(struct cli *c);
};

#endif
