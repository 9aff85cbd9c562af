/* gemsoak export --prometheus DIR: node_exporter textfile-collector files,
 * so an existing Prometheus watches a lab of soak machines. The newest
 * sample of every metric of the newest run, its floor slope and verdict,
 * written aside and renamed over DIR/gemsoak.prom (the collector never
 * reads half a file; see cli/output.h). --every INTERVAL keeps rewriting
 * it as samples arrive, and follows the database if its file is replaced. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/util.h"

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

static int export_once(sqlite3 *db, const char *dir, bool force)
{
	char path[4096];
	if (!fmt_ok(path, sizeof(path), "%s/gemsoak.prom", dir)) {
		fprintf(stderr, "gemsoak export: %s: path too long\n", dir);
		return -1;
	}
	struct cli_out o;
	if (cli_out_open(&o, path, force, "export"))
		return -1;
	int rows = write_prom(db, o.f);
	if (cli_out_close(&o, rows >= 0, "export"))
		return -1;
	return rows;
}

/* The file the database was opened from: --every must notice it removed
 * or replaced (a new database at the path, say after a restore), or it
 * would publish the old file's last values for ever. */
struct db_file {
	char path[4096];
	dev_t dev;
	ino_t ino;
};

static void db_file_note(struct db_file *w, sqlite3 *db)
{
	struct stat sb;
	const char *p = sqlite3_db_filename(db, "main");
	snprintf(w->path, sizeof(w->path), "%s", p ? p : "");
	if (stat(w->path, &sb) == 0) {
		w->dev = sb.st_dev;
		w->ino = sb.st_ino;
	}
}

/* 0 the same file, 1 replaced by another, -1 removed. */
static int db_file_changed(const struct db_file *w)
{
	struct stat sb;
	if (!w->path[0])
		return 0;
	if (stat(w->path, &sb) != 0)
		return -1;
	return sb.st_dev != w->dev || sb.st_ino != w->ino;
}

static int export_exec(struct cli *c)
{
	const char *dir = cli_opt(c, "prometheus"), *every = cli_opt(c, "every");
	bool force = cli_opt(c, "force");
	int64_t every_ms = 0;
	if (every && !parse_duration_ms(every, 1000, 86400000, &every_ms))
		return cli_usage_error(c, "--every: '%s' is not a duration from 1s to 1d", every);
	sqlite3 *db = cli_open(c, false);
	if (!db)
		return CMD_ERROR;
	struct db_file watch;
	db_file_note(&watch, db);
	for (;;) {
		int rows = export_once(db, dir, force);
		if (rows < 0) {
			sqlite3_close(db);
			return CMD_ERROR;
		}
		if (!every_ms) {
			printf("%s/gemsoak.prom: %d metric(s)\n", dir, rows);
			break;
		}
		usleep((useconds_t)(every_ms * 1000 > 4000000000LL ? 4000000000LL : every_ms * 1000));
		int changed = db_file_changed(&watch);
		if (changed < 0) {
			fprintf(stderr, "gemsoak export: %s: the database was removed; stopping\n", watch.path);
			sqlite3_close(db);
			return CMD_ERROR;
		}
		if (changed) {
			sqlite3_close(db);
			if (!(db = cli_open(c, false)))
				return CMD_ERROR;
			fprintf(stderr, "gemsoak export: %s: the database file was replaced; exporting the new one\n",
				watch.path);
			db_file_note(&watch, db);
		}
	}
	sqlite3_close(db);
	return CMD_OK;
}

static const struct cmd_option export_options[] = {
	{ .name = "prometheus", .letter = 'p', .arg = "DIR", .help = "write DIR/gemsoak.prom (node_exporter textfile collector)", .required = true },
	{ .name = "every", .letter = 'e', .arg = "TIME", .help = "rewrite it every TIME (e.g. 10s) until killed" },
	{ .name = "force", .letter = 'f', .help = "replace a symbolic link at DIR/gemsoak.prom" },
	{ NULL },
};

const struct cmd_entry cmd_export = {
	.name = "export",
	.summary = "Write the newest values and verdicts for Prometheus' node_exporter textfile collector",
	.flags = CMD_DATABASE,
	.options = export_options,
	.exec = export_exec,
};
