/* The verdicts a database holds (leak_trends, over the verdicts table: as
 * the daemon stored them round by round, or gemsoak-synth, merge or the
 * CLI after the fact) against a full judgement of the same runs now
 * (analysis/run.h): every difference listed with both values, and the CPU
 * time each way took (reading the view, judging). Exit 0 when every
 * verdict is the same, 1 when one differs, 2 on an error.
 * usage: verdict-diff DB... */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "analysis/run.h"

/* leak_trends' columns compared as numbers: the view's name, the row's
 * field, the decimals the view rounds to (-1: not rounded). */
struct num_col {
	const char *name;
	size_t off;
	int decimals;
};

#define NUM(n, d) { #n, offsetof(struct gs_trend_row, n), d }
static const struct num_col num_cols[] = {
	NUM(samples, -1), NUM(span_s, 1), NUM(first_value, -1), NUM(last_value, -1),
	NUM(slope_per_hour, 3), NUM(slope_per_kcycle, 3), NUM(mean_per_hour, 3), NUM(mean_per_kcycle, 3),
	NUM(robust_slope, 3), NUM(window_s, 1), NUM(r2, 3), NUM(half1_slope, 3), NUM(half2_slope, 3),
	NUM(slope_per_kcycle_workload, 3), NUM(confidence, 4), NUM(threshold, 3), NUM(bound, -1),
	NUM(max_value, -1),
};

static double rounded(double v, int decimals)
{
	if (decimals < 0 || isnan(v))
		return v;
	double s = pow(10, decimals);
	return round(v * s) / s;
}

/* Equal as the view shows them: both NULL, or within one unit of the
 * last decimal (rounding of a value on a half), or 1e-9 relative. */
static int same_num(double sql, double c, int decimals)
{
	if (isnan(sql) || isnan(c))
		return isnan(sql) && isnan(c);
	double tol = decimals >= 0 ? 1.01 * pow(10, -decimals) : 0;
	return fabs(sql - rounded(c, decimals)) <= fmax(tol, 1e-9 * fmax(fabs(sql), 1));
}

static int same_text(const char *sql, const char *c)
{
	return strcmp(sql ? sql : "", c ? c : "") == 0;
}

struct tally {
	long rows, verdicts_differ, columns_differ, missing;
	double view_s, engine_s; /* CPU time */
};

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void compare_row(sqlite3_stmt *s, const struct gs_trend_row *r, struct tally *t, const char *db)
{
	const char *verdict = (const char *)sqlite3_column_text(s, 2);
	if (!same_text(verdict, gs_verdict_name(r->verdict))) {
		t->verdicts_differ++;
		printf("%s run %lld %s: verdict %s (stored) %s (judged now); confidence %g / %g, windows %d / %ld\n", db,
		       (long long)r->run_id, r->metric, verdict, gs_verdict_name(r->verdict),
		       sqlite3_column_double(s, 3), r->confidence, sqlite3_column_int(s, 4), r->windows);
	}
	int ncol = sqlite3_column_count(s);
	for (int i = 5; i < ncol; i++) {
		const char *name = sqlite3_column_name(s, i);
		for (size_t k = 0; k < sizeof(num_cols) / sizeof(num_cols[0]); k++) {
			if (strcmp(num_cols[k].name, name) != 0)
				continue;
			double sqlv = sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
			double cv = *(const double *)((const char *)r + num_cols[k].off);
			if (!same_num(sqlv, cv, num_cols[k].decimals)) {
				t->columns_differ++;
				printf("%s run %lld %s: %s %.10g (stored) %.10g (judged now)\n", db, (long long)r->run_id,
				       r->metric, name, sqlv, cv);
			}
		}
	}
	const char *texts[][2] = {
		{ (const char *)sqlite3_column_text(s, 5), r->per },
		{ (const char *)sqlite3_column_text(s, 6), r->workload },
		{ (const char *)sqlite3_column_text(s, 7), r->holder },
		{ (const char *)sqlite3_column_text(s, 8), r->attribution },
		{ (const char *)sqlite3_column_text(s, 9), r->scope },
	};
	static const char *const tnames[] = { "per", "workload", "holder", "attribution", "scope" };
	for (int i = 0; i < 5; i++)
		if (!same_text(texts[i][0], texts[i][1])) {
			t->columns_differ++;
			printf("%s run %lld %s: %s %s (stored) %s (judged now)\n", db, (long long)r->run_id, r->metric,
			       tnames[i], texts[i][0] ? texts[i][0] : "NULL", texts[i][1] ? texts[i][1] : "NULL");
		}
	long w = sqlite3_column_int64(s, 4);
	if (w != r->windows) {
		t->columns_differ++;
		printf("%s run %lld %s: windows %ld (stored) %ld (judged now)\n", db, (long long)r->run_id, r->metric, w,
		       r->windows);
	}
}

static int compare_db(const char *path, struct tally *t)
{
	sqlite3 *db;
	sqlite3_stmt *runs, *view;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id FROM runs ORDER BY id", -1, &runs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT run_id, metric, verdict, confidence, windows, per, workload, holder,"
			       " attribution, scope, samples, span_s, first_value, last_value, slope_per_hour,"
			       " slope_per_kcycle, mean_per_hour, mean_per_kcycle, robust_slope, window_s, r2,"
			       " half1_slope, half2_slope, slope_per_kcycle_workload, threshold, bound, max_value"
			       " FROM leak_trends WHERE run_id = ? ORDER BY metric", -1, &view, NULL) != SQLITE_OK) {
		fprintf(stderr, "verdict-diff: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	int rc = 0;
	while (rc == 0 && sqlite3_step(runs) == SQLITE_ROW) {
		int64_t run = sqlite3_column_int64(runs, 0);
		struct gs_trend_row *rows;
		size_t n, i = 0;
		char err[256];
		double t0 = cpu_s();
		int judged = gs_judge_run(db, run, &rows, &n, err, sizeof(err));
		t->engine_s += cpu_s() - t0;
		if (judged) {
			fprintf(stderr, "verdict-diff: %s: run %lld: %s\n", path, (long long)run, err);
			rc = -1;
			break;
		}
		sqlite3_reset(view);
		sqlite3_bind_int64(view, 1, run);
		for (;;) {
			t0 = cpu_s();
			int step = sqlite3_step(view);
			t->view_s += cpu_s() - t0;
			if (step != SQLITE_ROW)
				break;
			const char *metric = (const char *)sqlite3_column_text(view, 1);
			while (i < n && strcmp(rows[i].metric, metric) < 0) {
				printf("%s run %lld %s: only judged now\n", path, (long long)run, rows[i++].metric);
				t->missing++;
			}
			if (i < n && strcmp(rows[i].metric, metric) == 0) {
				t->rows++;
				compare_row(view, &rows[i++], t, path);
			} else {
				printf("%s run %lld %s: only stored\n", path, (long long)run, metric);
				t->missing++;
			}
		}
		for (; i < n; i++, t->missing++)
			printf("%s run %lld %s: only judged now\n", path, (long long)run, rows[i].metric);
		free(rows);
	}
	sqlite3_finalize(runs);
	sqlite3_finalize(view);
	sqlite3_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: verdict-diff DB...\n");
		return 2;
	}
	struct tally t = { 0 };
	for (int i = 1; i < argc; i++)
		if (compare_db(argv[i], &t))
			return 2;
	printf("%ld rows compared: %ld verdicts differ, %ld other values differ, %ld rows in one only\n", t.rows,
	       t.verdicts_differ, t.columns_differ, t.missing);
	printf("CPU time: reading leak_trends %.3f s, judging anew %.3f s\n", t.view_s, t.engine_s);
	return t.verdicts_differ || t.missing ? 1 : 0;
}
