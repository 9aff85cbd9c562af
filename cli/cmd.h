/* gemsoak CLI: one file per command (cli/cmd-*.c), each exporting one
 * struct cmd_entry that cli/gemsoak.c lists in its table. */
#ifndef GS_CLI_CMD_H
#define GS_CLI_CMD_H

/* Exit statuses shared by every command. */
enum {
	CMD_OK = 0,      /* done; for checks: nothing missing */
	CMD_FOUND = 1,   /* the check found something (a missing fix, a leak) */
	CMD_ERROR = 2,   /* usage or runtime error; message on stderr */
	CMD_UNDECIDED = 3, /* gate: the run is too short for some verdict */
};

struct cmd_entry {
	const char *name;     /* "kernel check", "trends", ... */
	const char *usage;    /* arguments after the name */
	const char *summary;  /* one line for `gemsoak --help` */
	int (*exec)(int argc, char **argv); /* argv[0] is the command name */
};

#endif
