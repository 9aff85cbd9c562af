#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/finding-origin.h"
#include "analysis/findings-store.h"
#include "analysis/units.h"
#include "cli/cli.h"
#include "cli/findings.h"
#include "cli/origins.h"
#include "db/bind.h"

/* words_rate(V, UNIT) and words_qty(V, UNIT): p is 1 for the rate. */
static void words_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[64];
	double v = sqlite3_value_type(argv[0]) == SQLITE_NULL ? NAN : sqlite3_value_double(argv[0]);
	const char *unit = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
	if (sqlite3_user_data(ctx))
		gs_rate_per_hour(buf, sizeof(buf), v, unit);
	else
		gs_quantity(buf, sizeof(buf), v, unit, 0);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

int cli_words_functions(sqlite3 *db)
{
	static int rate = 1;
	if (sqlite3_create_function(db, "words_rate", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &rate, words_fn, NULL,
				    NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "words_qty", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, words_fn, NULL,
				    NULL) != SQLITE_OK) {
		cli_error("%s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* Where finding f's objects came from, when the run traced their kind
 * (cli/origins.h, analysis/finding-origin.h): its sentence and short
 * line, or both empty. 0, or -1 after a message. */
static int finding_origin(sqlite3 *db, int64_t run, const struct gs_finding *f, char *sentence, char *line,
			  size_t len)
{
	const char *kind = gs_finding_origin_kind(f->metrics);
	sentence[0] = line[0] = '\0';
	if (!kind)
		return 0;
	struct gs_origin *o;
	size_t n;
	char err[256];
	if (gs_origins_since(db, run, kind, f->onset, &o, &n, err, sizeof(err))) {
		cli_error("%s", err);
		return -1;
	}
	long i = gs_pick_origin(f, o, n);
	if (i >= 0) {
		gs_origin_sentence(sentence, len, &o[i]);
		gs_origin_line(line, len, &o[i], f->workload);
		/* Said where the origin is shown: text, report, gate, export. */
		if (strcmp(f->attribution, "origin") == 0) {
			size_t at = strlen(sentence);
			snprintf(sentence + at, len - at, ", which names the finding's workload (attribution: origin)");
			at = strlen(line);
			snprintf(line + at, len - at, " (attribution: origin)");
		}
	}
	gs_origins_free(o, n);
	return 0;
}

int cli_load_findings(sqlite3 *db, int64_t run)
{
	char err[256];
	struct gs_finding *f;
	size_t n;
	if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS run_findings (id INTEGER, workload TEXT, holder TEXT,"
			 " per_kcycle REAL, per_hour REAL, per_hour_words TEXT, unit TEXT, lead_metric TEXT,"
			 " metrics TEXT, nmetrics INTEGER, onset_s REAL, confidence REAL, attribution TEXT,"
			 " summary TEXT, next TEXT, origin TEXT, origin_line TEXT); DELETE FROM temp.run_findings",
			 NULL, NULL, NULL) != SQLITE_OK) {
		cli_error("findings: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (gs_load_findings(db, run, &f, &n, err, sizeof(err))) {
		cli_error("findings of run %lld: %s", (long long)run, err);
		return -1;
	}
	sqlite3_stmt *s = cli_prepare(db, "INSERT INTO temp.run_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
				      " ?, ?, ?, ?, ?, ?, ?)");
	int r = s ? 0 : -1;
	int traced = r ? 0 : origins_recorded(db);
	if (traced < 0)
		r = -1;
	for (size_t i = 0; r == 0 && i < n; i++) {
		char words[64], origin[GS_FINDING_TEXT] = "", line[GS_FINDING_TEXT] = "";
		if (traced > 0 && finding_origin(db, run, &f[i], origin, line, sizeof(origin))) {
			r = -1;
			break;
		}
		sqlite3_reset(s);
		sqlite3_bind_int(s, 1, f[i].id);
		sql_bind_text(s, 2, f[i].workload);
		sql_bind_text(s, 3, f[i].holder);
		sql_bind_num(s, 4, round(f[i].per_kcycle * 1000) / 1000);
		sql_bind_num(s, 5, round(f[i].per_hour * 1000) / 1000);
		sql_bind_text(s, 6, gs_rate_per_hour(words, sizeof(words), f[i].per_hour, f[i].unit));
		sql_bind_text(s, 7, f[i].unit);
		sql_bind_text(s, 8, f[i].lead_metric);
		sql_bind_text(s, 9, f[i].metrics);
		sqlite3_bind_int64(s, 10, (int64_t)f[i].nmetrics);
		sql_bind_num(s, 11, round(f[i].onset * 10) / 10);
		sql_bind_num(s, 12, f[i].confidence);
		sql_bind_text(s, 13, f[i].attribution);
		sql_bind_text(s, 14, f[i].summary);
		sql_bind_text(s, 15, f[i].next);
		sql_bind_text(s, 16, origin); /* "": NULL */
		sql_bind_text(s, 17, line);
		if (sqlite3_step(s) != SQLITE_DONE) {
			cli_error("findings: %s", sqlite3_errmsg(db));
			r = -1;
		}
	}
	sqlite3_finalize(s);
	free(f);
	return r < 0 ? -1 : (int)n;
}

int cli_print_findings(sqlite3 *db)
{
	sqlite3_stmt *s = cli_prepare(db, "SELECT id, summary, lead_metric, per_hour_words, per_kcycle, workload,"
				      " nmetrics, metrics, onset_s, next, origin_line FROM temp.run_findings ORDER BY id");
	if (!s)
		return -1;
	int n = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long onset = lround(sqlite3_column_double(s, 8));
		printf("%d. %s\n   %s %s", sqlite3_column_int(s, 0), sqlite3_column_text(s, 1),
		       sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
		if (sqlite3_column_type(s, 4) != SQLITE_NULL)
			printf(", %.1f per 1000 cycles of %s", sqlite3_column_double(s, 4), sqlite3_column_text(s, 5));
		if (sqlite3_column_type(s, 8) != SQLITE_NULL)
			printf(", from +%ld:%02ld:%02ld", onset / 3600, onset / 60 % 60, onset % 60);
		if (sqlite3_column_type(s, 10) != SQLITE_NULL)
			printf("\n   %s", sqlite3_column_text(s, 10));
		printf("\n   %d metric(s): %s\n   next: %s\n", sqlite3_column_int(s, 6), sqlite3_column_text(s, 7),
		       sqlite3_column_text(s, 9));
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		cli_error("findings: %s", sqlite3_errmsg(db));
		return -1;
	}
	return n;
}
