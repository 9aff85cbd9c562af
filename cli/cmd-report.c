/* gemsoak report: one self-contained HTML file about a run: its metadata
 * (kernel, driver, fixes present, config), a headline per finding, the
 * verdict table, the events,
 * and a plot per metric (cli/plot.c) embedded as a PNG data: URI. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/units.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/findings.h"
#include "cli/origins.h"
#include "cli/output.h"
#include "cli/plot.h"

static void base64(FILE *f, const unsigned char *d, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
			     (i + 2 < n ? d[i + 2] : 0);
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? tab[v & 63] : '=', f);
	}
}

/* Print every row of a query as an HTML table. */
static int html_table(FILE *f, sqlite3 *db, const char *sql, int64_t run)
{
	sqlite3_stmt *s = cli_prepare(db, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	int rc = cli_html_table(f, s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Append the rows of a two- or four-column query to arrays (grown here).
 * Returns the number of rows, or FETCH_FAILED (message on stderr). */
#define FETCH_FAILED SIZE_MAX
static size_t fetch_points(sqlite3 *db, const char *sql, int64_t run, int64_t metric, double **cols,
			   int ncols)
{
	sqlite3_stmt *s = cli_prepare(db, sql);
	size_t n = 0, cap = 0;
	int rc;
	if (!s)
		return FETCH_FAILED;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, metric);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			for (int c = 0; c < ncols; c++)
				cols[c] = realloc(cols[c], cap * sizeof(double));
		}
		for (int c = 0; c < ncols; c++)
			if (cols[c])
				cols[c][n] = sqlite3_column_double(s, c);
		n++;
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak report: %s\n", sqlite3_errmsg(db));
		n = FETCH_FAILED;
	}
	sqlite3_finalize(s);
	for (int c = 0; n != FETCH_FAILED && c < ncols; c++)
		if (!cols[c])
			return 0;
	return n;
}

/* One metric of leak_trends as the report shows it. */
struct report_metric {
	int64_t id;
	const char *name, *unit, *verdict, *workload, *holder;
	double per_hour, per_kcycle, span, first, last;
	double started;           /* the run's start, Unix time */
};

/* The lowest value at each point the verdict weighs (trend_base): x in
 * seconds from the run's start, and y. As fetch_points. */
static size_t fetch_lowest(sqlite3 *db, int64_t run, int64_t metric, double **fl)
{
	return fetch_points(db, "SELECT b.t - r.started, b.lo FROM trend_base b JOIN runs r ON r.id = b.run_id"
			    " WHERE b.run_id = ?1 AND b.metric_id = ?2 ORDER BY b.t", run, metric, fl, 2);
}

/* Where a growth starts: after the last of the lowest values (x, y) that
 * is back at the first one's level. NaN for fewer than two points. */
static double onset_of(const double *x, const double *y, size_t n)
{
	if (n < 2)
		return NAN;
	size_t i = n - 1;
	while (i > 0 && y[i] > y[0])
		i--;
	return x[i];
}

/* "+H:MM:SS (HH:MM:SS UTC)" for x seconds after the run's start. */
static void change_time(char *buf, size_t len, double started, double x)
{
	time_t t = (time_t)(started + x);
	struct tm tm;
	char utc[16];
	gmtime_r(&t, &tm);
	strftime(utc, sizeof(utc), "%H:%M:%S", &tm);
	long s = lround(x);
	snprintf(buf, len, "+%ld:%02ld:%02ld (%s UTC)", s / 3600, s / 60 % 60, s % 60, utc);
}

/* Under a metric's plot: its verdict over the run's time axis (the plot's,
 * 0 .. span), a coloured segment per period from one change of verdict
 * (verdict_history) to the next, then the change times in words. Nothing
 * when the metric has no history (an older database, a merged run). */
static int history_strip(FILE *f, sqlite3 *db, int64_t run, const struct report_metric *m)
{
	int has = cli_has_table(db, "verdict_history");
	if (has <= 0)
		return has;
	sqlite3_stmt *s = cli_prepare(db, "SELECT h.t - r.started, h.new_verdict FROM verdict_history h"
				      " JOIN runs r ON r.id = h.run_id WHERE h.run_id = ?1 AND h.metric_id = ?2"
				      " ORDER BY h.t");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, m->id);
	double span = m->span > 0 ? m->span : 1;
	char when[64], words[2048] = "";
	size_t used = 0;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		fprintf(f, "<div class=\"strip\" style=\"margin-left:%.0fpx;width:%.0fpx\">", PLOT_MARGIN_L,
			900 - PLOT_MARGIN_L - PLOT_MARGIN_R);
	while (rc == SQLITE_ROW) {
		double x = fmin(fmax(sqlite3_column_double(s, 0), 0), span);
		const char *v = (const char *)sqlite3_column_text(s, 1);
		char verdict[32];
		snprintf(verdict, sizeof(verdict), "%s", v ? v : "-");
		change_time(when, sizeof(when), m->started, x);
		rc = sqlite3_step(s);
		/* The period lasts until the next change, or the plot's end. */
		double end = rc == SQLITE_ROW ? fmin(fmax(sqlite3_column_double(s, 0), x), span) : span;
		fprintf(f, "<span class=\"v-%s\" style=\"left:%.3f%%;width:%.3f%%\" title=\"", verdict,
			100 * x / span, 100 * (end - x) / span);
		cli_markup_text(f, verdict);
		fprintf(f, " from %s\"></span>", when);
		if (used < sizeof(words))
			used += (size_t)snprintf(words + used, sizeof(words) - used, "%s%s from %s",
						 used ? ", " : "", verdict, when);
	}
	if (used) {
		fputs("</div>\n<p class=\"changes\">verdict: ", f);
		cli_markup_text(f, words);
		fputs("</p>", f);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int plot_metric(FILE *f, sqlite3 *db, int64_t run, const struct report_metric *m,
		       const struct plot_marker *mk, size_t nmk)
{
	double *v[4] = { NULL }, *fl[2] = { NULL };
	/* Per-minute buckets for up to two days, per hour beyond. */
	size_t n = fetch_points(db, m->span <= 172800 ?
		"SELECT w.bucket - r.started, w.vmin, w.vmax, w.vsum / w.n FROM rollups w JOIN runs r ON r.id = w.run_id"
		" WHERE w.run_id = ?1 AND w.width = 60 AND w.metric_id = ?2 ORDER BY w.bucket" :
		"SELECT w.bucket - r.started, w.vmin, w.vmax, w.vsum / w.n FROM rollups w JOIN runs r ON r.id = w.run_id"
		" WHERE w.run_id = ?1 AND w.width = 3600 AND w.metric_id = ?2 ORDER BY w.bucket",
		run, m->id, v, 4);
	/* The black line: the lowest value at each point the verdict weighs. */
	size_t nf = fetch_lowest(db, run, m->id, fl);
	if (n == FETCH_FAILED || nf == FETCH_FAILED) {
		for (int i = 0; i < 4; i++)
			free(v[i]);
		free(fl[0]);
		free(fl[1]);
		return -1;
	}
	bool leaking = strcmp(m->verdict, "leaking") == 0;
	char trend[96], q[64];
	snprintf(trend, sizeof(trend), "%s per hour", gs_quantity(q, sizeof(q), m->per_hour, m->unit, 1));
	struct plot p = {
		.title = m->name, .unit = m->unit, .s = { v[0], v[1], v[2], v[3], n, fl[0], fl[1], nf },
		.trend_per_s = isnan(m->per_hour) ? NAN : m->per_hour / 3600.0,
		.trend_label = leaking && !isnan(m->per_hour) ? trend : NULL,
		.onset_x = leaking ? onset_of(fl[0], fl[1], nf) : NAN,
		.markers = mk, .nmarkers = nmk, .span_s = m->span, .start = m->started,
	};
	unsigned char *png = NULL;
	size_t len = 0;
	char err[128], ticks[512];
	int r = plot_png(&p, 900, 260, &png, &len, err, sizeof(err));
	if (r == 0) {
		plot_y_ticks(&p, ticks, sizeof(ticks));
		fprintf(f, "<figure class=\"%s\"><img alt=\"", leaking ? "leak" : m->verdict);
		cli_markup_text(f, m->name);
		fputs("\" width=\"900\" height=\"260\" src=\"data:image/png;base64,", f);
		base64(f, png, len);
		fputs("\">", f);
		r = history_strip(f, db, run, m);
		fputs("<figcaption>", f);
		cli_markup_text(f, m->name);
		fputs(": ", f);
		cli_markup_text(f, m->verdict);
		fputs("; y axis (", f);
		cli_markup_text(f, m->unit);
		fputs("): <span class=\"yticks\">", f);
		cli_markup_text(f, ticks);
		fputs("</span></figcaption></figure>\n", f);
	} else {
		fprintf(stderr, "gemsoak report: %s: %s\n", m->name, err);
	}
	free(png);
	for (int i = 0; i < 4; i++)
		free(v[i]);
	free(fl[0]);
	free(fl[1]);
	return r;
}

static size_t load_markers(sqlite3 *db, int64_t run, struct plot_marker **out)
{
	double *c[2] = { NULL };
	size_t n = fetch_points(db,
		"SELECT e.t - r.started, CASE WHEN e.kind = 'gap' THEN 1 ELSE 2 END FROM events e"
		" JOIN runs r ON r.id = e.run_id WHERE e.run_id = ?1 AND ?2 = ?2"
		" AND (e.kind = 'gap' OR e.kind LIKE '%restart%') ORDER BY e.t", run, 0, c, 2);
	if (n == FETCH_FAILED)
		n = 0; /* the plots go without markers */
	*out = calloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; *out && i < n; i++)
		(*out)[i] = (struct plot_marker){ c[0][i], (int)c[1][i] };
	free(c[0]);
	free(c[1]);
	return *out ? n : 0;
}

/* The metrics of one scope, leaking first: a row per metric for row(). */
static const char metrics_sql[] =
	"SELECT m.id, t.metric, COALESCE(NULLIF(m.unit, ''), 'count'), t.verdict, t.workload, t.holder,"
	" t.slope_per_hour, COALESCE(t.slope_per_kcycle_workload, t.slope_per_kcycle), t.span_s,"
	" t.first_value, t.last_value, r.started"
	" FROM leak_trends t JOIN metrics m ON m.name = t.metric JOIN runs r ON r.id = t.run_id"
	" WHERE t.run_id = ?1 AND t.scope = ?2 ORDER BY t.verdict = 'leaking' DESC, t.metric";

static void metric_of(sqlite3_stmt *s, struct report_metric *m)
{
	*m = (struct report_metric){
		.id = sqlite3_column_int64(s, 0), .name = (const char *)sqlite3_column_text(s, 1),
		.unit = (const char *)sqlite3_column_text(s, 2), .verdict = (const char *)sqlite3_column_text(s, 3),
		.workload = (const char *)sqlite3_column_text(s, 4), .holder = (const char *)sqlite3_column_text(s, 5),
		.per_hour = sqlite3_column_type(s, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 6),
		.per_kcycle = sqlite3_column_type(s, 7) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 7),
		.span = sqlite3_column_double(s, 8), .first = sqlite3_column_double(s, 9),
		.last = sqlite3_column_double(s, 10), .started = sqlite3_column_double(s, 11),
	};
	if (!m->verdict)
		m->verdict = "-";
}

/* Each metric of the scope through plot_metric, leaking first. */
static int each_metric(FILE *f, sqlite3 *db, int64_t run, const char *scope, const struct plot_marker *mk,
		       size_t nmk)
{
	sqlite3_stmt *s = cli_prepare(db, metrics_sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, scope, -1, SQLITE_STATIC);
	int r = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_metric m;
		metric_of(s, &m);
		r |= plot_metric(f, db, run, &m, mk, nmk);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? r : -1;
}

/* A headline per finding (cli/findings.h): what it means, its lead
 * metric's rates, onset, where its objects were made (when traced),
 * metrics and what to do next; or one saying nothing leaks. */
static int headlines(FILE *f, sqlite3 *db, int64_t run)
{
	int n = cli_load_findings(db, run);
	sqlite3_stmt *s = n < 0 ? NULL : cli_prepare(db,
		"SELECT f.summary, f.lead_metric, f.per_hour_words, f.per_kcycle, f.workload, f.onset_s + r.started,"
		" f.metrics, f.next, f.origin_line FROM temp.run_findings f JOIN runs r ON r.id = ?1 ORDER BY f.id");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fputs("<li class=\"headline\"><b>", f);
		cli_markup_text(f, (const char *)sqlite3_column_text(s, 0));
		fputs("</b><br>", f);
		cli_markup_text(f, (const char *)sqlite3_column_text(s, 1));
		fputc(' ', f);
		cli_markup_text(f, (const char *)sqlite3_column_text(s, 2));
		if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
			fprintf(f, ", %.1f per 1000 cycles of ", sqlite3_column_double(s, 3));
			cli_markup_text(f, (const char *)sqlite3_column_text(s, 4));
		}
		if (sqlite3_column_type(s, 5) != SQLITE_NULL) {
			char when[32];
			time_t t = (time_t)sqlite3_column_double(s, 5);
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
			fprintf(f, "; onset %s", when);
		}
		if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
			fputs("<br>", f);
			cli_markup_text(f, (const char *)sqlite3_column_text(s, 8));
		}
		fputs("<br>metrics: ", f);
		cli_markup_text(f, (const char *)sqlite3_column_text(s, 6));
		fputs("<br>next: ", f);
		cli_markup_text(f, (const char *)sqlite3_column_text(s, 7));
		fputs("</li>\n", f);
	}
	if (n == 0)
		fputs("<li>no leak found: no kernel metric is leaking</li>\n", f);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int plots(FILE *f, sqlite3 *db, int64_t run)
{
	struct plot_marker *mk;
	size_t nmk = load_markers(db, run, &mk);
	int r = each_metric(f, db, run, "kernel", mk, nmk);
	fputs("<h2>gemsoakd's own footprint</h2>\n<p>Judged apart, against its bounds; never a kernel leak.</p>\n", f);
	r |= each_metric(f, db, run, "daemon", mk, nmk);
	free(mk);
	plot_cleanup();
	return r;
}

static const char style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
	"td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;font-size:90%}"
	"tr.leak td{background:#fdd}pre{background:#f4f4f4;padding:1em}figure{margin:1em 0}"
	"li.headline{background:#fdd;padding:2px 6px;margin:2px 0;list-style:none}figcaption{font-size:85%;color:#555}"
	".legend span{margin-right:1.5em}.strip{position:relative;height:12px;background:#f4f4f4}"
	".strip span{position:absolute;top:0;height:100%}.v-stable{background:#5a5}.v-leaking{background:#d33}"
	".v-insufficient-data{background:#bbb}.v-not-assessed{background:#99c}.v-over-bound{background:#e80}"
	".changes{font-size:85%;color:#555;margin:2px 0}";

static int write_report(FILE *f, sqlite3 *db, int64_t run)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>gemsoak run %lld</title><style>%s</style></head><body>\n"
		   "<h1>gemsoak run %lld</h1>\n<ul class=\"headlines\">\n", (long long)run, style, (long long)run);
	int r = headlines(f, db, run);
	fputs("</ul>\n<h2>Run</h2>\n", f);
	r |= html_table(f, db,
		"SELECT hostname AS host, kernel_release AS kernel, kernel_version AS build, device, driver,"
		" capabilities, datetime(started, 'unixepoch') AS started, COALESCE(datetime(stopped, 'unixepoch'), '-') AS stopped,"
		" config_path AS config, gemsoak_version AS gemsoak FROM runs WHERE id = ?1", run);
	r |= html_table(f, db, "SELECT key AS fact, value FROM run_props WHERE run_id = ?1 ORDER BY key", run);
	fputs("<h2>Verdicts</h2>\n<p>Slopes of the window floor (db/TRENDS.md); robust_slope per "
	      "<i>per</i>.</p>\n", f);
	r |= html_table(f, db,
		"SELECT metric, verdict, confidence, robust_slope, per, workload, holder, slope_per_kcycle, slope_per_hour,"
		" r2, windows, window_s, span_s, first_value, last_value, scope FROM leak_trends WHERE run_id = ?1"
		" ORDER BY scope = 'kernel' DESC, verdict = 'leaking' DESC, metric", run);
	r |= origins_html(f, db, run);
	fputs("<h2>Plots: the kernel's metrics</h2>\n<p class=\"legend\"><span>blue: values (band: min-max, line: mean)</span>"
	      "<span>black: lowest value</span><span>red line: floor trend, with its slope</span>"
	      "<span>green dots: onset</span><span>red dashes: gap</span><span>orange dashes: restart</span>"
	      "<span>x: UTC</span><span>strip: the verdict over time (grey: insufficient-data, green: stable,"
	      " red: leaking)</span></p>\n", f);
	r |= plots(f, db, run);
	fputs("<h2>Events</h2>\n", f);
	r |= html_table(f, db,
		"SELECT datetime(t, 'unixepoch') AS time, severity, source, kind,"
		" message || CASE WHEN repeats > 1 THEN ' (×' || repeats || ')' ELSE '' END AS message FROM events"
		" WHERE run_id = ?1 ORDER BY t LIMIT 500", run);
	fputs("<h2>Configuration</h2>\n<pre>", f);
	sqlite3_stmt *s = cli_prepare(db, "SELECT config_text FROM runs WHERE id = ?1");
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		if (sqlite3_step(s) == SQLITE_ROW)
			cli_markup_text(f, (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	fputs("</pre>\n</body></html>\n", f);
	return r;
}

static int report_exec(struct cli *c)
{
	const char *out = cli_opt(c, "out");
	int r;
	int64_t run;
	sqlite3 *db = cli_open_run(c, cli_opt(c, "run"), &run);
	if (!db)
		return CMD_ERROR;
	struct cli_out o;
	if (cli_out_open(&o, out, cli_opt(c, "force"), "report")) {
		sqlite3_close(db);
		return CMD_ERROR;
	}
	r = write_report(o.f, db, run);
	r = cli_out_close(&o, r == 0, "report") || r ? -1 : 0;
	sqlite3_close(db);
	if (r)
		return CMD_ERROR;
	/* On stdout the report is the output: the note goes to stderr. */
	fprintf(o.is_stdout ? stderr : stdout, "%s: report of run %lld\n", out, (long long)run);
	return CMD_OK;
}

static const struct cmd_option report_options[] = {
	{ .name = "out", .letter = 'o', .arg = "FILE.html", .help = "the HTML file to write (- for stdout; a device or FIFO is written in place)", .required = true },
	{ .name = "run", .letter = 'r', .arg = "N", .help = "the run (default: the newest)" },
	{ .name = "force", .letter = 'f', .help = "replace a symbolic link at FILE" },
	{ NULL },
};

const struct cmd_entry cmd_report = {
	.name = "report",
	.summary = "Write one self-contained HTML report of a run: metadata, verdicts, a plot per metric",
	.flags = CMD_DATABASE,
	.options = report_options,
	.exec = report_exec,
};
