/* gemsoak export --prometheus DIR: node_exporter textfile-collector files,
 * so an existing Prometheus watches a lab of soak machines. The newest
 * sample of every metric of the newest run, its floor slope and verdict,
 * the anomalies and worker deaths (the families: cli/prometheus.c),
 * written aside and renamed over DIR/gemsoak.prom (the collector never
 * reads half a file; see cli/output.h). --every INTERVAL keeps rewriting
 * it as samples arrive, and follows the database if its file is replaced;
 * SIGTERM, SIGINT or SIGHUP end it between two files (exit 0). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/prometheus.h"
#include "common/util.h"

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
	int rows = prometheus_write(db, o.f);
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

/* Temp files an export killed mid-write left (SIGKILL, a crash): files
 * DIR/.gemsoak.prom.XXXXXX (cli_out_open's naming) that are regular
 * files of ours not written to for STALE_TEMP_S; a younger one may be
 * another export's, writing now. */
#define STALE_TEMP_S 60
static void remove_stale_temps(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return; /* cli_out_open says what is wrong with DIR */
	static const char prefix[] = ".gemsoak.prom.";
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		if (strncmp(e->d_name, prefix, sizeof(prefix) - 1) != 0 || strlen(e->d_name) != sizeof(prefix) - 1 + 6 ||
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
		    sb.st_uid != geteuid() || sb.st_mtime > now - STALE_TEMP_S)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			fprintf(stderr, "gemsoak export: %s/%s: a stale temp file of an earlier export, removed\n", dir,
				e->d_name);
	}
	closedir(d);
}

static int export_exec(struct cli *c)
{
	const char *dir = cli_opt(c, "prometheus"), *every = cli_opt(c, "every");
	bool force = cli_opt(c, "force");
	int64_t every_ms = 0;
	if (every && !parse_duration_ms(every, 1000, 86400000, &every_ms))
		return cli_usage_error(c, "--every: '%s' is not a duration from 1s to 1d", every);
	/* SIGTERM, SIGINT and SIGHUP wait until a file is written (or its temp
	 * file removed), then end the export: no temp file is left behind. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	remove_stale_temps(dir);
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
		/* the whole interval, up to the day --every allows */
		struct timespec t = { (time_t)(every_ms / 1000), (long)(every_ms % 1000) * 1000000L };
		int sig = sigtimedwait(&stop, NULL, &t);
		if (sig > 0) {
			fprintf(stderr, "gemsoak export: %s: stopping\n", strsignal(sig));
			break;
		}
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
