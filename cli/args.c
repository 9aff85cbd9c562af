/* Command lines parsed from the commands' declarations (cli/cmd.h): the
 * one getopt_long loop, the one --help layout, and the messages that name
 * the command. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/defaults.h"

/* What every command takes, or every one of a kind (cmd_entry.flags). */
static const struct cmd_option opt_db = {
	.name = "db", .letter = 'D', .arg = "FILE",
	.help = "the database (default: the `database` of " GS_DEFAULT_CONFIG " and its conf.d, else " GS_DEFAULT_DATABASE ")",
};
static const struct cmd_option opt_json = { .name = "json", .help = "print one JSON object (see gemsoak(1))" };
static const struct cmd_option opt_csv = { .name = "csv", .help = "print CSV rows with a header" };
static const struct cmd_option opt_help = { .name = "help", .letter = 'h', .help = "this help" };

static const char *current = NULL; /* the command messages are about */

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gemsoak%s%s: ", current ? " " : "", current ? current : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "-r, --run N" or "    --last N", as the help and messages show it. */
static void option_name(const struct cmd_option *o, char *buf, size_t len)
{
	snprintf(buf, len, "%c%c%s--%s%s%s", o->letter ? '-' : ' ', o->letter ? o->letter : ' ',
		 o->letter ? ", " : "  ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void usage_line(const struct cmd_entry *cmd, FILE *out)
{
	fprintf(out, "usage: gemsoak %s", cmd->name);
	if (cmd->flags & CMD_DATABASE)
		fputs(" [-D FILE]", out);
	if (cmd->flags & CMD_FORMATS)
		fputs(" [--json | --csv]", out);
	if (cmd->synopsis) {
		fprintf(out, " %s", cmd->synopsis);
	} else {
		for (const struct cmd_option *o = cmd->options; o && o->name; o++) {
			if (!o->help)
				continue;
			fprintf(out, " %s--%s%s%s%s", o->required ? "" : "[", o->name, o->arg ? " " : "",
				o->arg ? o->arg : "", o->required ? "" : "]");
		}
	}
	if (cmd->args)
		fprintf(out, " %s", cmd->args);
	fputc('\n', out);
}

static void option_help(const struct cmd_option *o, FILE *out)
{
	char name[64];
	option_name(o, name, sizeof(name));
	fprintf(out, "  %-22s %s\n", name, o->help);
}

void cli_print_help(const struct cmd_entry *cmd, FILE *out)
{
	usage_line(cmd, out);
	fprintf(out, "\n%s.\n", cmd->summary);
	if (cmd->help)
		fprintf(out, "\n%s", cmd->help);
	fputc('\n', out);
	if (cmd->flags & CMD_DATABASE)
		option_help(&opt_db, out);
	for (const struct cmd_option *o = cmd->options; o && o->name; o++)
		if (o->help)
			option_help(o, out);
	if (cmd->flags & CMD_FORMATS) {
		option_help(&opt_json, out);
		option_help(&opt_csv, out);
	}
	option_help(&opt_help, out);
	fprintf(out, "\nExit status: %s\n", cmd->exit_status ? cmd->exit_status : "0 done, 2 error.");
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gemsoak %s: ", c->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage_line(c->cmd, stderr);
	fprintf(stderr, "(`gemsoak help %s` says more)\n", c->cmd->name);
	return CMD_ERROR;
}

static void add_option(struct cli *c, const struct cmd_option *o)
{
	if (c->nopts == CLI_MAX_OPTIONS)
		abort(); /* a command declares too many: raise CLI_MAX_OPTIONS */
	c->opt[c->nopts++] = o;
}

static int find_option(const struct cli *c, const char *name)
{
	for (size_t i = 0; i < c->nopts; i++)
		if (strcmp(c->opt[i]->name, name) == 0)
			return (int)i;
	return -1;
}

const char *cli_opt(const struct cli *c, const char *name)
{
	int i = find_option(c, name);
	if (i < 0) {
		fprintf(stderr, "gemsoak %s: no option --%s is declared (a bug)\n", c->cmd->name, name);
		abort();
	}
	return c->value[i];
}

/* The getopt_long tables of the options: long ones return 256 + index. */
static void getopt_tables(const struct cli *c, struct option *longopts, char *shortopts)
{
	char *s = shortopts;
	*s++ = ':'; /* a missing argument returns ':', told apart from '?' */
	for (size_t i = 0; i < c->nopts; i++) {
		const struct cmd_option *o = c->opt[i];
		longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					       256 + (int)i };
		if (o->letter) {
			*s++ = o->letter;
			if (o->arg)
				*s++ = ':';
		}
	}
	longopts[c->nopts] = (struct option){ NULL, 0, NULL, 0 };
	*s = '\0';
}

static int option_of_letter(const struct cli *c, int letter)
{
	for (size_t i = 0; i < c->nopts; i++)
		if (c->opt[i]->letter == letter)
			return (int)i;
	return -1;
}

/* Record option i's value; a deprecated alias warns and sets its option. */
static void set_option(struct cli *c, int i, const char *arg)
{
	const struct cmd_option *o = c->opt[i];
	if (o->alias_of) {
		int to = find_option(c, o->alias_of);
		if (to < 0)
			abort(); /* an alias of an option the command does not declare */
		const struct cmd_option *t = c->opt[to];
		if (o->letter && t->letter)
			cli_error("warning: -%c/--%s is deprecated and goes in the next release; use -%c/--%s",
				  o->letter, o->name, t->letter, t->name);
		else
			cli_error("warning: --%s is deprecated and goes in the next release; use --%s", o->name,
				  t->name);
		i = to;
	}
	c->value[i] = arg ? arg : "";
}

int cli_parse(struct cli *c, const struct cmd_entry *cmd, int argc, char **argv)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	current = cmd->name;
	if (cmd->flags & CMD_DATABASE)
		add_option(c, &opt_db);
	if (cmd->flags & CMD_FORMATS) {
		add_option(c, &opt_json);
		add_option(c, &opt_csv);
	}
	add_option(c, &opt_help);
	for (const struct cmd_option *o = cmd->options; o && o->name; o++)
		add_option(c, o);

	struct option longopts[CLI_MAX_OPTIONS + 1];
	char shortopts[2 * CLI_MAX_OPTIONS + 2];
	getopt_tables(c, longopts, shortopts);
	opterr = 0;
	optind = 1;
	int r;
	while ((r = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (r == '?' || r == ':') {
			const char *what = argv[optind - 1];
			char shortname[3] = { '-', '\0', '\0' };
			if (optopt > 0 && optopt < 256 && strncmp(what, "--", 2) != 0) {
				shortname[1] = (char)optopt;
				what = shortname;
			}
			return cli_usage_error(c, r == ':' ? "option '%s' needs an argument" : "unknown option '%s'",
					       what);
		}
		int i = r >= 256 ? r - 256 : option_of_letter(c, r);
		set_option(c, i, optarg);
	}
	if (c->value[find_option(c, "help")]) {
		cli_print_help(cmd, stdout);
		return CMD_OK;
	}
	for (size_t i = 0; i < c->nopts; i++) {
		if (c->opt[i]->required && !c->value[i])
			return cli_usage_error(c, "--%s %s is needed", c->opt[i]->name,
					       c->opt[i]->arg ? c->opt[i]->arg : "");
	}
	c->argc = argc - optind;
	c->argv = argv + optind;
	if (c->argc < cmd->min_args || (cmd->max_args >= 0 && c->argc > cmd->max_args)) {
		if (cmd->max_args == 0)
			return cli_usage_error(c, "unexpected argument '%s'", c->argv[0]);
		return cli_usage_error(c, "%s expected, %d given", cmd->args ? cmd->args : "no argument", c->argc);
	}
	if (cmd->flags & CMD_DATABASE)
		c->db_path = cli_opt(c, "db");
	if (cmd->flags & CMD_FORMATS) {
		bool json = cli_opt(c, "json"), csv = cli_opt(c, "csv");
		if (json && csv)
			return cli_usage_error(c, "--json and --csv: one or the other");
		c->format = json ? CLI_JSON : csv ? CLI_CSV : CLI_TABLE;
	}
	return -1;
}
