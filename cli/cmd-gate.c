/* gemsoak gate: one run's verdicts as a pass/fail a CI job acts on. The
 * kernel's metrics decide (a leak or an over-bound value fails), so do the
 * workloads' broken promises (anomalies) and their work: a workload that
 * did no cycle, or fell far below its rate, leaves nothing the verdicts
 * could judge, so the run fails rather than passes. The daemon's own
 * footprint never decides, nor does lateness (a step past its timeout). A
 * run too short for some verdict is neither clean nor failed and gets a
 * status of its own, so a gate cannot pass by running too briefly.
 * --junit writes one testcase per finding (a cause: the leaking metrics
 * it groups in its output, where its objects were made when traced), one per assessed metric (a leaking one a
 * finding covers is detail, not a failure of its own) and, per workload,
 * one for its promises and one for its work, for igt_runner-style result
 * viewers and LAVA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/findings.h"
#include "cli/output.h"

struct gate_counts {
	int findings;       /* a cause each: the leaking metrics grouped */
	int metrics, failed, undecided, passed;
	int covered;        /* leaking metrics a finding covers (among failed) */
	int workloads, broken, anomalies;
	int idle, late;     /* workloads that did no or too little work; late steps */
};

/* One testcase: elem is "failure", "skipped", "system-out" or NULL (a
 * plain pass); message and text may be NULL. */
static void junit_case(FILE *f, const char *class, const char *name, const char *elem, const char *type,
		       const char *message, const char *text)
{
	fprintf(f, "    <testcase classname=\"gemsoak.%s\" name=\"", class);
	cli_markup_text(f, name);
	fputs("\" time=\"0\">", f);
	if (elem) {
		fprintf(f, "<%s", elem);
		if (type)
			fprintf(f, " type=\"%s\"", type);
		if (message) {
			fputs(" message=\"", f);
			cli_markup_text(f, message);
			fputc('"', f);
		}
		if (text) {
			fputc('>', f);
			cli_markup_text(f, text);
			fprintf(f, "</%s>", elem);
		} else {
			fputs("/>", f);
		}
	}
	fputs("</testcase>\n", f);
}

struct gate_ctx {
	FILE *out, *junit;     /* the summary lines; the JUnit body, or NULL */
	struct gate_counts *n;
};

/* A finding: a line on out and a failing testcase whose output lists
 * its metrics. Where the run traced where its objects were made, the
 * failure's text says so (and a property "origin" holds it, the same
 * sentence as gemsoak findings' origin field), so that a CI viewer shows
 * the path beside the red mark. Columns: id, summary, lead metric, its
 * rate in words, metrics, next, origin (the sentence) and origin_line,
 * both NULL when none was traced. */
static void finding_row(struct gate_ctx *g, sqlite3_stmt *s)
{
	int id = sqlite3_column_int(s, 0);
	const char *summary = (const char *)sqlite3_column_text(s, 1);
	const char *origin = (const char *)sqlite3_column_text(s, 6);
	const char *line = (const char *)sqlite3_column_text(s, 7);
	char name[96], text[2048];
	snprintf(name, sizeof(name), "%d-%s", id, sqlite3_column_text(s, 2));
	snprintf(text, sizeof(text), "%s %s; metrics: %s; next: %s", sqlite3_column_text(s, 2),
		 sqlite3_column_text(s, 3), sqlite3_column_text(s, 4), sqlite3_column_text(s, 5));
	g->n->findings++;
	fprintf(g->out, "FAIL      finding %d: %s\n", id, summary);
	if (line)
		fprintf(g->out, "          %s\n", line);
	fprintf(g->out, "          %s\n", text);
	if (!g->junit)
		return;
	/* one testcase a line: lava/report.sh reads them so */
	fprintf(g->junit, "    <testcase classname=\"gemsoak.findings\" name=\"");
	cli_markup_text(g->junit, name);
	fputs("\" time=\"0\">", g->junit);
	if (origin) {
		fputs("<properties><property name=\"origin\" value=\"", g->junit);
		cli_markup_text(g->junit, origin);
		fputs("\"/></properties>", g->junit);
	}
	fputs("<failure type=\"leak\" message=\"", g->junit);
	cli_markup_text(g->junit, summary);
	if (origin) {
		fputs("\">", g->junit);
		cli_markup_text(g->junit, origin);
		fputs("</failure>", g->junit);
	} else {
		fputs("\"/>", g->junit);
	}
	fputs("<system-out>", g->junit);
	cli_markup_text(g->junit, text);
	fputs("</system-out></testcase>\n", g->junit);
}

/* A kernel metric the verdicts assess: a line on out when it is not
 * clean, a testcase in junit. A leaking metric a finding covers is its
 * detail (the finding fails). Columns: metric, verdict, figures, the
 * finding's id or NULL. */
static void metric_row(struct gate_ctx *g, sqlite3_stmt *s)
{
	const char *metric = (const char *)sqlite3_column_text(s, 0);
	const char *verdict = (const char *)sqlite3_column_text(s, 1);
	const char *figures = (const char *)sqlite3_column_text(s, 2);
	int finding = sqlite3_column_int(s, 3);
	bool covered = finding > 0 && strcmp(verdict, "leaking") == 0;
	bool fail = !covered && (strcmp(verdict, "leaking") == 0 || strcmp(verdict, "over-bound") == 0);
	bool undecided = strcmp(verdict, "insufficient-data") == 0;
	char detail[600];
	snprintf(detail, sizeof(detail), "%s (finding %d)", figures, finding);
	g->n->metrics++;
	g->n->failed += fail || covered;
	g->n->covered += covered;
	g->n->undecided += undecided;
	g->n->passed += !fail && !covered && !undecided;
	if (fail || undecided || covered)
		fprintf(g->out, "%-9s %s: %s\n", covered ? "LEAKING" : fail ? "FAIL" : "UNDECIDED", metric,
			covered ? detail : figures);
	if (!g->junit)
		return;
	if (fail || undecided)
		junit_case(g->junit, "trends", metric, fail ? "failure" : "skipped", fail ? "leak" : NULL, figures, NULL);
	else
		junit_case(g->junit, "trends", metric, "system-out", NULL, NULL, covered ? detail : figures);
}

/* A workload and the promises it saw broken. Columns: workload, number
 * of anomalies, their kinds and counts, the first message. */
static void promise_row(struct gate_ctx *g, sqlite3_stmt *s)
{
	const char *workload = (const char *)sqlite3_column_text(s, 0);
	int count = sqlite3_column_int(s, 1);
	const char *what = (const char *)sqlite3_column_text(s, 2);
	const char *first = (const char *)sqlite3_column_text(s, 3);
	g->n->workloads++;
	g->n->broken += count > 0;
	g->n->anomalies += count;
	if (count > 0)
		fprintf(g->out, "FAIL      %s: %s; first: %s\n", workload, what, first);
	if (g->junit)
		junit_case(g->junit, "promises", workload, count > 0 ? "failure" : NULL, "anomaly", what, first);
}

/* A workload's work in the run. Columns: workload, whether its cycles
 * have two samples or more, cycles done, span in s, worker exits, times it fell below half
 * its rate (the daemon's workload-below-rate events), the first of those
 * messages. */
static void work_row(struct gate_ctx *g, sqlite3_stmt *s)
{
	const char *workload = (const char *)sqlite3_column_text(s, 0);
	int several = sqlite3_column_int(s, 1), exits = sqlite3_column_int(s, 4), below = sqlite3_column_int(s, 5);
	double cycles = sqlite3_column_double(s, 2), span = sqlite3_column_double(s, 3);
	const char *first_below = (const char *)sqlite3_column_text(s, 6);
	char what[600];
	const char *type = NULL;
	if (several && cycles <= 0) {
		type = "no-work";
		snprintf(what, sizeof(what), "no work: 0 cycles in %.0f s, %d worker exit(s)", span, exits);
	} else if (below > 0) {
		type = "too-little-work";
		snprintf(what, sizeof(what), "too little work: %d time(s) below half its rate; first: %s", below,
			 first_below ? first_below : "");
	} else {
		snprintf(what, sizeof(what), "%.0f cycles in %.0f s (%.1f cycles/s), %d worker exit(s)", cycles, span,
			 span > 0 ? cycles / span : 0.0, exits);
	}
	g->n->idle += type != NULL;
	if (type)
		fprintf(g->out, "FAIL      %s: %s\n", workload, what);
	if (g->junit)
		junit_case(g->junit, "work", workload, type ? "failure" : "system-out", type, type ? what : NULL,
			   type ? NULL : what);
}

/* A workload's steps killed after their timeout: printed, never a failure.
 * Columns: workload, count, kinds and counts. */
static void late_row(struct gate_ctx *g, sqlite3_stmt *s)
{
	g->n->late += sqlite3_column_int(s, 1);
	fprintf(g->out, "LATE      %s: %s (timing, not a kernel promise)\n", sqlite3_column_text(s, 0),
		sqlite3_column_text(s, 2));
}

static const char findings_sql[] =
	"SELECT id, summary, lead_metric, per_hour_words, metrics, next, origin, origin_line"
	" FROM temp.run_findings WHERE ?1 = ?1 ORDER BY id";

static const char metrics_sql[] =
	"SELECT t.metric, t.verdict,"
	" printf('%s: %s per 1000 cycles%s, %s, %s -> %s over %d s (%d windows of %d s),"
	" confidence %.2f%s', t.verdict,"
	"  words_qty(COALESCE(t.slope_per_kcycle_workload, t.slope_per_kcycle, 0), m.unit),"
	"  COALESCE(' of ' || t.workload, ''), words_rate(COALESCE(t.slope_per_hour, 0), m.unit),"
	"  words_qty(t.first_value, m.unit), words_qty(t.last_value, m.unit),"
	"  t.span_s, t.windows, t.window_s, COALESCE(t.confidence, 0), COALESCE(', held by ' || t.holder, '')),"
	" (SELECT f.id FROM temp.run_findings f WHERE ',' || f.metrics || ',' LIKE '%,' || t.metric || ',%')"
	" FROM leak_trends t JOIN metrics m ON m.name = t.metric"
	" WHERE t.run_id = ?1 AND t.scope = 'kernel' AND t.verdict <> 'not-assessed'"
	" ORDER BY t.verdict IN ('leaking', 'over-bound') DESC, t.verdict = 'insufficient-data' DESC, t.metric";

/* The workloads of the run (those that counted cycles, or saw anomalies). */
static const char promises_sql[] =
	"WITH w AS (SELECT workload FROM run_counters WHERE run_id = ?1"
	"           UNION SELECT workload FROM anomalies WHERE run_id = ?1),"
	" a AS (SELECT workload, kind, SUM(repeats) AS n, MIN(message) AS first FROM anomalies"
	"       WHERE run_id = ?1 GROUP BY workload, kind)"
	" SELECT w.workload, COALESCE(SUM(a.n), 0),"
	"  COALESCE(SUM(a.n), 0) || ' broken promise(s): ' || COALESCE(group_concat(a.kind || ' ' || a.n, ', '), ''),"
	"  COALESCE(MIN(a.first), '')"
	" FROM w LEFT JOIN a ON a.workload = w.workload GROUP BY w.workload ORDER BY w.workload";

/* Every workload that has a cycle counter in the run: its work. */
static const char work_sql[] =
	"WITH w AS (SELECT workload, last_tick > first_tick AS several, last_value - first_value AS cycles,"
	"             t_last - t_first AS span FROM run_counters WHERE run_id = ?1),"
	" e AS (SELECT substr(source, 10) AS workload, SUM((kind = 'worker-exit') * repeats) AS exits,"
	"         SUM((kind = 'workload-below-rate') * repeats) AS below"
	"       FROM events WHERE run_id = ?1 AND source LIKE 'workload %' GROUP BY source)"
	" SELECT w.workload, w.several, w.cycles, w.span, COALESCE(e.exits, 0), COALESCE(e.below, 0),"
	"  (SELECT message FROM events WHERE run_id = ?1 AND source = 'workload ' || w.workload"
	"   AND kind = 'workload-below-rate' ORDER BY t, id LIMIT 1)"
	" FROM w LEFT JOIN e ON e.workload = w.workload ORDER BY w.workload";

static const char late_sql[] =
	"SELECT workload, SUM(n), group_concat(kind || ' ' || n, ', ') FROM"
	" (SELECT workload, kind, SUM(repeats) AS n FROM lateness WHERE run_id = ?1 GROUP BY workload, kind)"
	" GROUP BY workload ORDER BY workload";

/* Every row of sql (?1: the run) through row. 0, or -1 after a message. */
static int gate_rows(sqlite3 *db, int64_t run, const char *sql, void (*row)(struct gate_ctx *, sqlite3_stmt *),
		     struct gate_ctx *g)
{
	sqlite3_stmt *s = cli_prepare(db, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(g, s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak gate: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The findings, the metrics, the workloads' promises and work, then
 * lateness. */
static int gate_all(sqlite3 *db, int64_t run, FILE *out, FILE *junit, struct gate_counts *n)
{
	struct gate_ctx g = { out, junit, n };
	if (cli_words_functions(db) || cli_load_findings(db, run) < 0)
		return -1;
	return gate_rows(db, run, findings_sql, finding_row, &g) || gate_rows(db, run, metrics_sql, metric_row, &g) || gate_rows(db, run, promises_sql, promise_row, &g) ||
		       gate_rows(db, run, work_sql, work_row, &g) || gate_rows(db, run, late_sql, late_row, &g)
		       ? -1 : 0;
}

/* The JUnit file: both passes write into a buffer first, since the suite's
 * element carries the totals. */
static int gate_junit(sqlite3 *db, int64_t run, const char *path, bool force, FILE *out,
		      struct gate_counts *n)
{
	char *body = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&body, &len);
	if (!mem) {
		perror("gemsoak gate: open_memstream");
		return -1;
	}
	int r = gate_all(db, run, out, mem, n);
	if (fclose(mem) != 0)
		r = -1;
	struct cli_out o;
	if (r == 0 && cli_out_open(&o, path, force, "gate") == 0) {
		/* a testcase per finding, per metric, and for each workload's
		 * promises and its work; a leaking metric fails through its
		 * finding */
		int tests = n->findings + n->metrics + 2 * n->workloads;
		int failures = n->findings + n->failed - n->covered + n->broken + n->idle;
		fprintf(o.f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<testsuites name=\"gemsoak\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n"
			"  <testsuite name=\"gemsoak.run.%lld\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n",
			tests, failures, n->undecided, (long long)run, tests, failures, n->undecided);
		fwrite(body, 1, len, o.f);
		fputs("  </testsuite>\n</testsuites>\n", o.f);
		r = cli_out_close(&o, true, "gate");
	} else {
		r = -1;
	}
	free(body);
	return r;
}

static int gate_exec(struct cli *c)
{
	const char *junit = cli_opt(c, "junit");
	int r;
	int64_t run;
	sqlite3 *db = cli_open_run(c, cli_opt(c, "run"), &run);
	if (!db)
		return CMD_ERROR;
	struct gate_counts n = { 0 };
	/* With the XML on stdout the summary goes to stderr. */
	FILE *out = junit && strcmp(junit, "-") == 0 ? stderr : stdout;
	r = junit ? gate_junit(db, run, junit, cli_opt(c, "force") != NULL, out, &n)
		    : gate_all(db, run, out, NULL, &n);
	sqlite3_close(db);
	if (r)
		return CMD_ERROR;
	fprintf(out, "run %lld: %d finding(s); %d kernel metric(s) assessed: %d leaking, %d undecided, %d clean; "
		"%d workload(s), %d with broken promises (%d anomalies), %d did no or too little work; "
		"%d late step(s)\n", (long long)run, n.findings, n.metrics, n.failed, n.undecided, n.passed, n.workloads, n.broken,
		n.anomalies, n.idle, n.late);
	/* No assessed metric at all (a run with no sample yet) is undecided
	 * too; a run that did not do its work fails whatever its metrics say. */
	int status = n.findings || n.failed || n.broken || n.idle ? CMD_FOUND
		     : n.undecided || n.metrics == 0 ? CMD_UNDECIDED : CMD_OK;
	fprintf(out, "gate: %s\n", status == CMD_FOUND ? "FAIL" : status == CMD_UNDECIDED ? "too short to judge" : "PASS");
	return status;
}

static const struct cmd_option gate_options[] = {
	{ .name = "run", .letter = 'r', .arg = "N", .help = "the run (default: the newest)" },
	{ .name = "junit", .letter = 'j', .arg = "FILE", .help = "also write the verdicts as JUnit XML (- for stdout)" },
	{ .name = "force", .letter = 'f', .help = "replace a symbolic link at FILE" },
	{ NULL },
};

const struct cmd_entry cmd_gate = {
	.name = "gate",
	.summary = "Pass or fail a run for CI: a kernel leak, a broken promise or no work fails it",
	.help = "The findings (one per cause of a leak, gemsoak findings) come first, then every\n"
		"kernel metric the verdicts assess (LEAKING: part of a finding), every workload's\n"
		"promises (its anomalies) and its work. They decide: a workload that did no cycle\n"
		"or fell below half its rate fails the run. gemsoakd's own footprint and lateness\n"
		"never do. One line per finding, per metric or workload that is not clean, one per\n"
		"workload with steps past their timeout (LATE).",
	.flags = CMD_DATABASE,
	.options = gate_options,
	.exit_status = "0 clean, 1 a kernel metric leaks, a promise broke or a workload did no or too\n"
		       "little work, 2 error, 77 too short to judge (some verdict is insufficient-data)",
	.exec = gate_exec,
};
