/* The Prometheus text exposition of the newest run of a gemsoak database,
 * by Prometheus' naming conventions: a family per gemsoak metric, named
 * after it with gemsoak_ in front and in base units (kB samples as bytes,
 * ms as seconds), the workload and the framebuffer owner as labels rather
 * than parts of the name; counters typed counter and named _total; the
 * verdict of each metric as a state set (1 for the current verdict, 0 for
 * the others). Series are gathered first and written sorted by family,
 * because the text format wants each family's lines together. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/findings.h"
#include "cli/prometheus.h"

#define FAMILY_MAX 160
#define LABELS_MAX 640
#define HELP_MAX 240

struct series {
	char family[FAMILY_MAX];
	char labels[2 * LABELS_MAX + 2]; /* the run's, then the others: name="value",... */
	char help[HELP_MAX];
	const char *type;        /* "gauge" or "counter" */
	double value;
	size_t seq;              /* order of gathering, kept within a family */
};

struct expo {
	struct series *v;
	size_t n, cap;
	char run_labels[LABELS_MAX]; /* host="...",run="N" */
	bool oom;
};

/* Append ,name="value" (value escaped as the text format wants) to buf. */
static void label_add(char *buf, size_t len, const char *name, const char *value)
{
	size_t at = strlen(buf);
	at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s=\"", at ? "," : "", name);
	for (const char *s = value ? value : ""; *s && at + 3 < len; s++) {
		if (*s == '\\' || *s == '"')
			buf[at++] = '\\';
		if (*s == '\n') {
			buf[at++] = '\\';
			buf[at++] = 'n';
		} else {
			buf[at++] = *s;
		}
	}
	if (at + 1 < len) {
		buf[at++] = '"';
		buf[at] = '\0';
	} else {
		buf[len - 1] = '\0';
	}
}

/* Add one series: the run's labels, then extra (already formatted, may
 * be empty). */
static void add(struct expo *e, const char *family, const char *type, const char *help, const char *extra,
		double value)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;
		struct series *v = realloc(e->v, cap * sizeof(*v));
		if (!v) {
			e->oom = true;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	struct series *s = &e->v[e->n];
	snprintf(s->family, sizeof(s->family), "%s", family);
	snprintf(s->labels, sizeof(s->labels), "%s%s%s", e->run_labels, extra && *extra ? "," : "",
		 extra ? extra : "");
	snprintf(s->help, sizeof(s->help), "%s", help);
	s->type = type;
	s->value = value;
	s->seq = e->n++;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* How a gemsoak metric is exposed: its family, the labels taken out of its
 * name, its type and the factor to its base unit. */
struct mapping {
	char family[FAMILY_MAX];
	char labels[LABELS_MAX];
	char help[HELP_MAX];
	const char *type;
	double scale;
};

/* gemsoak's units as Prometheus names them: the suffix a name ends with
 * in it (strip replaced by suffix), the factor to the base unit; a cycles
 * count is a counter. */
static const struct unit_rule {
	const char *unit, *strip, *suffix, *note, *type;
	double scale;
} unit_rules[] = {
	{ "kB", "_kb", "_bytes", ", kB as bytes", "gauge", 1024 },
	{ "ms", "_ms", "_seconds", ", ms as seconds", "gauge", 0.001 },
	{ "bytes", "_bytes", "_bytes", "", "gauge", 1 },
	{ "cycles", "_total", "_total", "", "counter", 1 },
};

/* gemsoak_ + base (every byte that may not be in a metric name as _),
 * with the unit as Prometheus names it. */
static void map_base(struct mapping *m, const char *base, const char *unit, const char *shown)
{
	char *f = m->family;
	size_t at = (size_t)snprintf(f, FAMILY_MAX, "gemsoak_");
	for (const char *s = base; *s && at + 1 < FAMILY_MAX; s++) {
		bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9');
		f[at++] = ok ? *s : '_';
	}
	f[at] = '\0';
	m->type = "gauge";
	m->scale = 1;
	const char *note = "";
	for (size_t i = 0; i < sizeof(unit_rules) / sizeof(unit_rules[0]); i++) {
		const struct unit_rule *u = &unit_rules[i];
		if (strcmp(unit, u->unit))
			continue;
		if (ends_with(f, u->strip))
			f[strlen(f) - strlen(u->strip)] = '\0';
		strncat(f, u->suffix, FAMILY_MAX - strlen(f) - 1);
		m->type = u->type;
		m->scale = u->scale;
		note = u->note;
	}
	snprintf(m->help, sizeof(m->help), "Newest sample of gemsoak's %s%s.", shown, note);
}

/* The workload a workload.W.* metric belongs to: the longest of the run's
 * workloads (whose workload.W.cycles are sampled) that prefixes it; the
 * length of W, or 0. Names may hold dots, so the name alone cannot say. */
static size_t workload_of(const char *metric, char **workloads, size_t nwl)
{
	size_t best = 0;
	if (strncmp(metric, "workload.", 9))
		return 0;
	for (size_t i = 0; i < nwl; i++) {
		size_t k = strlen(workloads[i]);
		if (k > best && !strncmp(metric + 9, workloads[i], k) && metric[9 + k] == '.')
			best = k;
	}
	return best;
}

static void map_metric(struct mapping *m, const char *name, const char *unit, char **workloads, size_t nwl)
{
	m->labels[0] = '\0';
	size_t wl = workload_of(name, workloads, nwl);
	if (wl) {
		char w[256], rest[256];
		snprintf(w, sizeof(w), "%.*s", (int)wl, name + 9);
		snprintf(rest, sizeof(rest), "%s", name + 10 + wl);
		label_add(m->labels, sizeof(m->labels), "workload", w);
		const char *dot;
		if (!strncmp(rest, "errors.", 7) && (dot = strrchr(rest + 7, '.')) && dot > rest + 7) {
			/* workload.W.errors.IOCTL.ERRNO: how often the kernel refused an ioctl */
			char ioc[128];
			snprintf(ioc, sizeof(ioc), "%.*s", (int)(dot - rest - 7), rest + 7);
			label_add(m->labels, sizeof(m->labels), "ioctl", ioc);
			label_add(m->labels, sizeof(m->labels), "errno", dot + 1);
			snprintf(m->family, sizeof(m->family), "gemsoak_workload_ioctl_errors_total");
			snprintf(m->help, sizeof(m->help),
				 "Ioctls of the workload that failed, per ioctl and errno (workload.W.errors.IOCTL.ERRNO).");
			m->type = "counter";
			m->scale = 1;
			return;
		}
		char base[300], shown[300];
		snprintf(base, sizeof(base), "workload.%s", rest);
		snprintf(shown, sizeof(shown), "workload.W.%s", rest);
		map_base(m, base, unit, shown);
		return;
	}
	static const char fb[] = "drm.framebuffers.by.";
	if (!strncmp(name, fb, sizeof(fb) - 1) && name[sizeof(fb) - 1]) {
		label_add(m->labels, sizeof(m->labels), "owner", name + sizeof(fb) - 1);
		map_base(m, "drm.framebuffers.by_owner", unit, "drm.framebuffers.by.OWNER");
		return;
	}
	map_base(m, name, unit, name);
}

static const char *const verdicts[] = {
	"leaking", "stable", "insufficient-data", "not-assessed", "within-bound", "over-bound",
};

/* The kinds the view anomalies counts (db/views/anomalies.sql),
 * written as 0 before the first, so an alert sees the counter rise. */
static const char *const anomaly_kinds[] = {
	"promise", "unexpected-errno", "signal", "restart-failed", "server-failed", "client-failed", "server-exit",
	"protocol", "size", "worker-exit",
};

/* The kinds the view lateness counts: steps killed after their timeout. */
static const char *const late_kinds[] = {
	"restart-timeout", "server-not-ready", "client-timeout", "server-stop-timeout",
};

static const char *const death_causes[] = { "signal", "exit", "hang" };

static const char run_sql[] =
	"SELECT r.id, r.hostname, r.kernel_release, r.driver, r.started, k.id, k.t, k.cycles"
	" FROM runs r LEFT JOIN (SELECT id, run_id, t, cycles FROM ticks"
	"  WHERE run_id = (SELECT max(id) FROM runs) ORDER BY t DESC, id DESC LIMIT 1) k ON k.run_id = r.id"
	" ORDER BY r.id DESC LIMIT 1";

static const char metrics_sql[] =
	"SELECT m.name, m.unit, s.value, t.verdict, t.scope, t.slope_per_hour, t.slope_per_kcycle, t.confidence,"
	"  t.workload, t.holder"
	" FROM samples s JOIN metrics m ON m.id = s.metric_id"
	" LEFT JOIN leak_trends t ON t.run_id = ?1 AND t.metric = m.name"
	" WHERE s.tick_id = ?2 ORDER BY m.name";

/* Counts per workload and kind: the anomalies, and the workers' deaths
 * (killed by a signal, exited, or killed by the supervisor as hung). */
static const char anomalies_sql[] =
	"SELECT workload, kind, SUM(repeats) FROM anomalies WHERE run_id = ?1 GROUP BY workload, kind";
static const char late_sql[] =
	"SELECT workload, kind, SUM(repeats) FROM lateness WHERE run_id = ?1 GROUP BY workload, kind";
/* Each workload's latest rate event: below half its rate (1) or back (0). */
static const char below_rate_sql[] =
	"SELECT substr(source, 10), kind = 'workload-below-rate' FROM events e"
	" WHERE run_id = ?1 AND kind IN ('workload-below-rate', 'workload-rate-back')"
	" AND id = (SELECT MAX(id) FROM events x WHERE x.run_id = ?1 AND x.source = e.source"
	"  AND x.kind IN ('workload-below-rate', 'workload-rate-back'))";
static const char deaths_sql[] =
	"SELECT substr(source, 10),"
	"  CASE WHEN kind = 'worker-hang' THEN 'hang' WHEN message LIKE '%killed by signal%' THEN 'signal'"
	"  ELSE 'exit' END, SUM(repeats)"
	" FROM events WHERE run_id = ?1 AND source LIKE 'workload %' AND kind IN ('worker-exit', 'worker-hang')"
	" GROUP BY 1, 2";

static const char *col_text(sqlite3_stmt *s, int c)
{
	const char *v = (const char *)sqlite3_column_text(s, c);
	return v ? v : "";
}

/* A workload name kept once in the list (NULL-safe); -1 out of memory. */
static int workload_note(char ***list, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], name))
			return 0;
	char **l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		return -1;
	*list = l;
	if (!(l[*n] = strdup(name)))
		return -1;
	(*n)++;
	return 0;
}

/* Per workload and kind: the counts of sql, 0 for those not in it. */
static int add_counts(struct expo *e, sqlite3 *db, const char *sql, int64_t run, char ***wls, size_t *nwl,
		      const char *family, const char *help, const char *key, const char *const *keys,
		      size_t nkeys)
{
	sqlite3_stmt *s = cli_prepare(db, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	struct { char w[256], k[64]; double n; } *got = NULL;
	size_t ngot = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		void *g = realloc(got, (ngot + 1) * sizeof(*got));
		if (!g || workload_note(wls, nwl, col_text(s, 0))) {
			free(g ? g : got);
			sqlite3_finalize(s);
			return -1;
		}
		got = g;
		snprintf(got[ngot].w, sizeof(got[ngot].w), "%s", col_text(s, 0));
		snprintf(got[ngot].k, sizeof(got[ngot].k), "%s", col_text(s, 1));
		got[ngot++].n = sqlite3_column_double(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak export: %s\n", sqlite3_errmsg(db));
		free(got);
		return -1;
	}
	for (size_t w = 0; w < *nwl; w++) {
		for (size_t k = 0; k < nkeys; k++) {
			double n = 0;
			for (size_t i = 0; i < ngot; i++)
				if (!strcmp(got[i].w, (*wls)[w]) && !strcmp(got[i].k, keys[k]))
					n = got[i].n;
			char l[LABELS_MAX] = "";
			label_add(l, sizeof(l), "workload", (*wls)[w]);
			label_add(l, sizeof(l), key, keys[k]);
			add(e, family, "counter", help, l, n);
		}
	}
	/* a kind this version does not know yet is still counted */
	for (size_t i = 0; i < ngot; i++) {
		size_t k = 0;
		while (k < nkeys && strcmp(got[i].k, keys[k]))
			k++;
		if (k == nkeys) {
			char l[LABELS_MAX] = "";
			label_add(l, sizeof(l), "workload", got[i].w);
			label_add(l, sizeof(l), key, got[i].k);
			add(e, family, "counter", help, l, got[i].n);
		}
	}
	free(got);
	return 0;
}

/* gemsoak_workload_below_rate: 1 for a workload the daemon said is below
 * half its rate (and not back since), 0 for every other one. 0, or -1. */
static int add_below_rate(struct expo *e, sqlite3 *db, int64_t run, char ***wls, size_t *nwl)
{
	sqlite3_stmt *s = cli_prepare(db, below_rate_sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	static const char help[] = "1 while the workload runs below half its rate (gemsoakd's workload-below-rate"
				   " event, not back since): its verdicts need longer, gemsoak gate fails the run.";
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (workload_note(wls, nwl, col_text(s, 0)))
			e->oom = true;
		char l[LABELS_MAX] = "";
		label_add(l, sizeof(l), "workload", col_text(s, 0));
		add(e, "gemsoak_workload_below_rate", "gauge", help, l, sqlite3_column_int(s, 1));
	}
	if (rc == SQLITE_DONE) {
		/* the others: 0, so that an alert sees the gauge rise */
		for (size_t w = 0; w < *nwl; w++) {
			sqlite3_reset(s);
			bool said = false;
			while (!said && sqlite3_step(s) == SQLITE_ROW)
				said = !strcmp(col_text(s, 0), (*wls)[w]);
			char l[LABELS_MAX] = "";
			label_add(l, sizeof(l), "workload", (*wls)[w]);
			if (!said)
				add(e, "gemsoak_workload_below_rate", "gauge", help, l, 0);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak export: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The series of every metric of the newest tick; the number of metrics,
 * or -1. The workloads found are appended to wls. */
static int add_metrics(struct expo *e, sqlite3 *db, int64_t run, int64_t tick, char ***wls, size_t *nwl)
{
	sqlite3_stmt *s = cli_prepare(db, metrics_sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, tick);
	int rc, metrics = 0;
	/* First the workloads, which tell workload.W.* names apart. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *n = col_text(s, 0);
		size_t len = strlen(n);
		if (!strncmp(n, "workload.", 9) && len > 16 && ends_with(n, ".cycles")) {
			char w[256];
			snprintf(w, sizeof(w), "%.*s", (int)(len - 16), n + 9);
			if (workload_note(wls, nwl, w))
				e->oom = true;
		}
	}
	bool listed = rc == SQLITE_DONE;
	sqlite3_reset(s);
	while (listed && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = col_text(s, 0);
		struct mapping m;
		map_metric(&m, name, col_text(s, 1), *wls, *nwl);
		add(e, m.family, m.type, m.help, m.labels, sqlite3_column_double(s, 2) * m.scale);
		metrics++;

		/* a metric the trends have no row for yet has no verdict yet */
		const char *verdict = *col_text(s, 3) ? col_text(s, 3) : "insufficient-data";
		const char *scope = col_text(s, 4);
		char l[LABELS_MAX] = "";
		label_add(l, sizeof(l), "metric", name);
		label_add(l, sizeof(l), "scope", *scope ? scope : "kernel");
		bool known = false;
		for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
			char lv[LABELS_MAX];
			snprintf(lv, sizeof(lv), "%s", l);
			label_add(lv, sizeof(lv), "verdict", verdicts[i]);
			bool now = !strcmp(verdict, verdicts[i]);
			known |= now;
			add(e, "gemsoak_verdict", "gauge",
			    "The current verdict of the metric's trend (a state set: 1 for it, 0 for the others);"
			    " scope daemon: gemsoakd's own footprint.",
			    lv, now);
		}
		if (!known) {
			char lv[LABELS_MAX];
			snprintf(lv, sizeof(lv), "%s", l);
			label_add(lv, sizeof(lv), "verdict", verdict);
			add(e, "gemsoak_verdict", "gauge", "", lv, 1);
		}
		char lm[LABELS_MAX] = "";
		label_add(lm, sizeof(lm), "metric", name);
		if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			add(e, "gemsoak_floor_slope_per_hour", "gauge",
			    "Growth of the metric's floor per hour, in its family's base unit.", lm,
			    sqlite3_column_double(s, 5) * m.scale);
		if (sqlite3_column_type(s, 6) != SQLITE_NULL)
			add(e, "gemsoak_floor_slope_per_kcycle", "gauge",
			    "Growth of the metric's floor per 1000 workload cycles, in its family's base unit.", lm,
			    sqlite3_column_double(s, 6) * m.scale);
		if (sqlite3_column_type(s, 7) != SQLITE_NULL)
			add(e, "gemsoak_verdict_confidence", "gauge", "Confidence of the metric's verdict (0 to 1).", lm,
			    sqlite3_column_double(s, 7));
		if (!strcmp(verdict, "leaking")) {
			char li[LABELS_MAX];
			snprintf(li, sizeof(li), "%s", lm);
			label_add(li, sizeof(li), "workload", col_text(s, 8));
			label_add(li, sizeof(li), "holder", col_text(s, 9));
			add(e, "gemsoak_leak_info", "gauge",
			    "A leaking metric: the workload whose cycles explain it and its holder (process or kernel).",
			    li, 1);
		}
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak export: %s\n", sqlite3_errmsg(db));
		metrics = -1;
	}
	sqlite3_finalize(s);
	return metrics;
}

/* The run's findings (cli/findings.h): gemsoak_findings, their number,
 * and gemsoak_finding_info, 1 for each with its words as labels. Where
 * the run traced where a finding's objects were made, the label origin
 * is its "made at" line (the top three frames and the subsystem's entry,
 * as gemsoak findings prints it): words that stay the same while the
 * objects pile up, where the sentence's count would make a new series
 * every scrape. 0, or -1 after a message. */
static int add_findings(struct expo *e, sqlite3 *db, int64_t run)
{
	int n = cli_load_findings(db, run);
	sqlite3_stmt *s = n < 0 ? NULL : cli_prepare(db, "SELECT id, workload, holder, lead_metric, metrics,"
						    " attribution, summary, per_kcycle, origin_line FROM temp.run_findings"
						    " ORDER BY id");
	if (!s)
		return -1;
	add(e, "gemsoak_findings", "gauge", "Findings of the run: its leaks, one per cause (gemsoak findings).", "", n);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char l[LABELS_MAX] = "";
		label_add(l, sizeof(l), "finding", col_text(s, 0));
		label_add(l, sizeof(l), "workload", col_text(s, 1));
		label_add(l, sizeof(l), "holder", col_text(s, 2));
		label_add(l, sizeof(l), "lead_metric", col_text(s, 3));
		label_add(l, sizeof(l), "metrics", col_text(s, 4));
		label_add(l, sizeof(l), "attribution", col_text(s, 5));
		char w[LABELS_MAX] = "";
		if (sqlite3_column_type(s, 8) != SQLITE_NULL)
			label_add(w, sizeof(w), "origin", col_text(s, 8));
		label_add(w, sizeof(w), "summary", col_text(s, 6));
		/* the words last: a long one is cut, never the other labels */
		char both[2 * LABELS_MAX];
		snprintf(both, sizeof(both), "%s,%s", l, w);
		add(e, "gemsoak_finding_info", "gauge",
		    "A finding: 1, labelled with its workload, holder, lead metric, metrics, where its objects were made"
		    " (when traced) and what it means.", both, 1);
		if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
			char lk[LABELS_MAX] = "";
			label_add(lk, sizeof(lk), "finding", col_text(s, 0));
			label_add(lk, sizeof(lk), "workload", col_text(s, 1));
			label_add(lk, sizeof(lk), "lead_metric", col_text(s, 3));
			add(e, "gemsoak_finding_per_kcycle", "gauge",
			    "A finding's lead metric per 1000 of its workload's own cycles.", lk, sqlite3_column_double(s, 7));
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak export: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int by_family(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int c = strcmp(x->family, y->family);
	if (!c)
		c = strcmp(x->labels, y->labels);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void help_line(FILE *f, const char *family, const char *help)
{
	fprintf(f, "# HELP %s ", family);
	for (const char *s = help; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('\n', f);
}

static void value_out(FILE *f, double v)
{
	if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (isnan(v))
		fputs("NaN", f);
	else
		fprintf(f, "%.15g", v);
}

/* Write the series grouped by family. Two metrics that map to one series
 * (or to one family of two types) would make the file unreadable: the
 * later one is left out, and said. */
static void write_sorted(struct expo *e, FILE *f)
{
	qsort(e->v, e->n, sizeof(e->v[0]), by_family);
	const struct series *head = NULL, *prev = NULL;
	for (size_t i = 0; i < e->n; i++) {
		const struct series *s = &e->v[i];
		if (!head || strcmp(head->family, s->family)) {
			head = s;
			help_line(f, s->family, s->help);
			fprintf(f, "# TYPE %s %s\n", s->family, s->type);
		} else if (strcmp(head->type, s->type) || !strcmp(prev->labels, s->labels)) {
			fprintf(stderr, "gemsoak export: %s{%s}: two metrics map to this series; the second is left out\n",
				s->family, s->labels);
			continue;
		}
		fprintf(f, "%s{%s} ", s->family, s->labels);
		value_out(f, s->value);
		fputc('\n', f);
		prev = s;
	}
}

int prometheus_write(sqlite3 *db, FILE *f)
{
	sqlite3_stmt *s = cli_prepare(db, run_sql);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return 0; /* no run yet: an empty file */
		fprintf(stderr, "gemsoak export: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	struct expo e = { 0 };
	int64_t run = sqlite3_column_int64(s, 0);
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)run);
	label_add(e.run_labels, sizeof(e.run_labels), "host", col_text(s, 1));
	label_add(e.run_labels, sizeof(e.run_labels), "run", num);
	char info[LABELS_MAX] = "";
	label_add(info, sizeof(info), "kernel_release", col_text(s, 2));
	label_add(info, sizeof(info), "driver", col_text(s, 3));
	add(&e, "gemsoak_run_info", "gauge", "The newest run: 1, labelled with its kernel and driver.", info, 1);
	add(&e, "gemsoak_run_start_timestamp_seconds", "gauge", "When the run started (Unix time).", "",
	    sqlite3_column_double(s, 4));
	bool ticked = sqlite3_column_type(s, 5) != SQLITE_NULL;
	int64_t tick = sqlite3_column_int64(s, 5);
	if (ticked) {
		add(&e, "gemsoak_last_sample_timestamp_seconds", "gauge",
		    "When the newest sample was taken (Unix time).", "", sqlite3_column_double(s, 6));
		add(&e, "gemsoak_cycles_total", "counter", "Cycles all workloads did in the run.", "",
		    sqlite3_column_double(s, 7));
	}
	sqlite3_finalize(s);

	char **wls = NULL;
	size_t nwl = 0;
	int metrics = ticked ? add_metrics(&e, db, run, tick, &wls, &nwl) : 0;
	if (metrics >= 0 &&
	    (add_counts(&e, db, anomalies_sql, run, &wls, &nwl, "gemsoak_anomalies_total",
			"Anomalies of the run (broken promises, undocumented errnos, workers killed by a signal, ...)"
			" per workload and kind.",
			"kind", anomaly_kinds, sizeof(anomaly_kinds) / sizeof(anomaly_kinds[0])) ||
	     add_counts(&e, db, late_sql, run, &wls, &nwl, "gemsoak_late_total",
			"Steps of the run killed after their timeout per workload and kind: a timing expectation"
			" of the workload, not a kernel promise.",
			"kind", late_kinds, sizeof(late_kinds) / sizeof(late_kinds[0])) ||
	     add_counts(&e, db, deaths_sql, run, &wls, &nwl, "gemsoak_worker_deaths_total",
			"Worker processes of the run that died: killed by a signal, exited, or killed as hung.",
			"cause", death_causes, sizeof(death_causes) / sizeof(death_causes[0])) ||
	     add_below_rate(&e, db, run, &wls, &nwl) || (ticked && add_findings(&e, db, run))))
		metrics = -1;
	if (e.oom) {
		fprintf(stderr, "gemsoak export: out of memory\n");
		metrics = -1;
	}
	if (metrics >= 0)
		write_sorted(&e, f);
	for (size_t i = 0; i < nwl; i++)
		free(wls[i]);
	free(wls);
	free(e.v);
	return metrics;
}
