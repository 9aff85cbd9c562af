/* gemsoak export --prometheus DIR: node_exporter textfile-collector files,
 * so an existing Prometheus watches a lab of soak machines. The newest
 * sample of every metric of the newest run, its floor slope and verdict,
 * written to DIR/gemsoak.prom.tmp and renamed (the collector never reads
 * half a file). --every INTERVAL keeps rewriting it as samples arrive. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common/util.h"

struct export_args {
	const char *dir, *every;
};

static int export_option(void *ctx, int opt, const char *arg)
{
	struct export_args *a = ctx;
	if (opt == 'p')
		a->dir = arg;
	else if (opt == 'e')
		a->every = arg;
	else
		return CMD_ERROR;
	return 0;
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static const char export_sql[] =
	"WITH run AS (SELECT id, hostname FROM runs ORDER BY id DESC LIMIT 1),"
	" lt AS (SELECT k.id, k.t, k.cycles FROM ticks k, run WHERE k.run_id = run.id ORDER BY k.t DESC LIMIT 1)"
	" SELECT run.hostname, run.id, m.name, s.value, lt.t, lt.cycles, t.slope_per_kcycle, t.slope_per_hour,"
	/* gemsoakd's own metrics never count as a kernel leak */
	"  CASE WHEN t.scope = 'kernel' THEN t.verdict END"
	" FROM run, lt JOIN samples s ON s.tick_id = lt.id JOIN metrics m ON m.id = s.metric_id"
	" LEFT JOIN leak_trends t ON t.run_id = run.id AND t.metric = m.name ORDER BY m.name";

static void series(FILE *f, const char *name, sqlite3_stmt *s, int with_metric, double v)
{
	fprintf(f, "%s{host=\"", name);
	label_value(f, (const char *)sqlite3_column_text(s, 0));
	fprintf(f, "\",run=\"%lld\"", sqlite3_column_int64(s, 1));
	if (with_metric) {
		fputs(",metric=\"", f);
		label_value(f, (const char *)sqlite3_column_text(s, 2));
		fputc('"', f);
	}
	fprintf(f, "} %.15g\n", v);
}

/* The metric families, each written as one group as the text format wants:
 * name, help, and the query column of the value (-1: the verdict). */
static const struct family {
	const char *name, *help;
	int col, per_metric;
} families[] = {
	{ "gemsoak_value", "Newest sample of a gemsoak metric.", 3, 1 },
	{ "gemsoak_floor_slope_per_kcycle", "Growth of the metric's floor per 1000 workload cycles.", 6, 1 },
	{ "gemsoak_floor_slope_per_hour", "Growth of the metric's floor per hour.", 7, 1 },
	{ "gemsoak_leaking", "1 when the run's verdict for the metric is leaking (gemsoakd's own daemon.* metrics: always 0).", -1, 1 },
	{ "gemsoak_cycles_total", "Workload cycles done in the run.", 5, 0 },
	{ "gemsoak_last_sample_timestamp_seconds", "Time of the newest sample.", 4, 0 },
};

static int write_prom(sqlite3 *db, FILE *f)
{
	sqlite3_stmt *s = cli_prepare(db, export_sql);
	if (!s)
		return -1;
	int rc = SQLITE_DONE, rows = 0, metrics = 0;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct family *fam = &families[i];
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", fam->name, fam->help, fam->name);
		sqlite3_reset(s);
		rows = 0;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			rows++;
			if (fam->col < 0) {
				const char *v = (const char *)sqlite3_column_text(s, 8);
				series(f, fam->name, s, 1, v && strcmp(v, "leaking") == 0);
			} else if (sqlite3_column_type(s, fam->col) != SQLITE_NULL) {
				series(f, fam->name, s, fam->per_metric, sqlite3_column_double(s, fam->col));
			}
			if (!fam->per_metric)
				break; /* one line per run */
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		rc = SQLITE_DONE;
		if (i == 0)
			metrics = rows;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? metrics : -1;
}

static int export_once(sqlite3 *db, const char *dir)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/gemsoak.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "gemsoak export: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	int rows = write_prom(db, f);
	if (fclose(f) || rows < 0 || rename(tmp, path)) {
		fprintf(stderr, "gemsoak export: cannot write %s\n", path);
		remove(tmp);
		return -1;
	}
	return rows;
}

static int export_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "prometheus", required_argument, NULL, 'p' },
		{ "every", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c;
	struct export_args a = { 0 };
	int r = cli_parse(&c, &cmd_export, "  -p, --prometheus DIR  write DIR/gemsoak.prom (node_exporter textfile collector)\n"
			  "  -e, --every TIME      rewrite it every TIME (e.g. 10s) until killed\n",
			  argc, argv, 0, opts, "D:hp:e:", export_option, &a);
	if (r >= 0)
		return r;
	int64_t every_ms = 0;
	if (!a.dir)
		return cli_usage_error(&c, "--prometheus DIR is needed");
	if (a.every && !parse_duration_ms(a.every, 1000, 86400000, &every_ms))
		return cli_usage_error(&c, "--every: '%s' is not a duration from 1s to 1d", a.every);
	sqlite3 *db = cli_open(&c, false);
	if (!db)
		return CMD_ERROR;
	for (;;) {
		int rows = export_once(db, a.dir);
		if (rows < 0) {
			sqlite3_close(db);
			return CMD_ERROR;
		}
		if (!every_ms) {
			printf("%s/gemsoak.prom: %d metric(s)\n", a.dir, rows);
			break;
		}
		usleep((useconds_t)(every_ms * 1000 > 4000000000LL ? 4000000000LL : every_ms * 1000));
	}
	sqlite3_close(db);
	return CMD_OK;
}

const struct cmd_entry cmd_export = {
	"export", "--prometheus DIR [--every TIME]",
	"Write the newest values and verdicts for Prometheus' node_exporter textfile collector",
	export_exec,
};
