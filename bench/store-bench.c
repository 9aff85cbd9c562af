/* Store benchmark: writes a generated run (DAYS days at one sampling
 * round every 10 s, 50 metrics) through the daemon's own store
 * (db/store-write.c, one transaction per round), then reports ingest rate,
 * bytes on disk per sample and the latency of `select * from
 * leak_trends` (median of 5 runs after a warm-up; raw samples kept 7
 * days, as the daemon keeps them); and the same for a naive baseline
 * schema (one row per
 * value keyed by run, metric name and time, no rollups, trend computed
 * from raw rows) filled with the same values in the same run.
 * usage: store-bench [-d DAYS] [-o DIR]   (prints "key value" lines) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analysis/verdicts.h"
#include "common/util.h"
#include "db/store.h"
#include "sources/sources.h"

#define METRICS 50
#define INTERVAL 10.0
#define RETENTION_S (7 * 86400.0)
#define MEASURED_ROUNDS 8640L /* a day of rounds, one transaction each */

/* Deterministic values with the shapes a soak sees: flat with noise,
 * sawtooth, and a slow leak on a few metrics. */
static double value_of(int m, long k, unsigned *rng)
{
	*rng = *rng * 1103515245u + 12345u;
	double noise = (double)((*rng >> 16) % 7);
	switch (m % 5) {
	case 0: return 100 + noise;
	case 1: return 50 + (double)(k % 360) + noise;            /* sawtooth, 1 h period */
	case 2: return 1000 + (double)k / 1000.0 + noise;        /* leak */
	default: return (double)(m * 10) + noise;
	}
}

static char names[METRICS][32];

static void name_metrics(void)
{
	for (int m = 0; m < METRICS; m++)
		snprintf(names[m], sizeof(names[m]), "bench.metric%02d", m);
}

static long file_bytes(const char *path)
{
	char wal[600];
	struct stat st;
	long n = stat(path, &st) == 0 ? (long)st.st_size : 0;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &st) == 0)
		n += (long)st.st_size;
	return n;
}

/* Run QUERY to completion, stepping every row; seconds taken. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One run of a query on a new connection (as a CLI user would), all rows
 * stepped through; wall and process CPU seconds. */
static void run_query(const char *path, const char *query, long *rows, double *wall, double *cpu)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, query, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "store-bench: %s: %s\n", path, sqlite3_errmsg(db));
		exit(2);
	}
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	double t0 = now_monotonic();
	*rows = 0;
	while (sqlite3_step(s) == SQLITE_ROW)
		(*rows)++;
	*wall = now_monotonic() - t0;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	*cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The median of `runs` runs (after one untimed warm-up run when there are
 * several): one run on a busy machine can take several times the median. */
#define MAX_RUNS 9
static void time_query(const char *path, const char *query, int runs, long *rows, double *wall,
		       double *cpu)
{
	double w[MAX_RUNS], c[MAX_RUNS];
	if (runs > 1)
		run_query(path, query, rows, &w[0], &c[0]);
	for (int i = 0; i < runs; i++)
		run_query(path, query, rows, &w[i], &c[i]);
	qsort(w, (size_t)runs, sizeof(double), cmp_double);
	qsort(c, (size_t)runs, sizeof(double), cmp_double);
	*wall = w[runs / 2];
	*cpu = c[runs / 2];
}

static void bench_store(const char *path, long ticks)
{
	struct store *st;
	char err[512];
	unlink(path);
	if (store_open(path, &st, err, sizeof(err))) {
		fprintf(stderr, "store-bench: %s\n", err);
		exit(2);
	}
	struct run_info ri = { .hostname = "bench", .kernel_release = "bench", .config_text = "" };
	int64_t run;
	double t = 1.7e9;
	if (store_begin_run(st, t, &ri, &run)) {
		fprintf(stderr, "store-bench: begin run: %s\n", store_errmsg(st));
		exit(2);
	}
	struct metric_batch b;
	batch_init(&b);
	unsigned rng = 1;
	double t0 = now_monotonic(), took = 0;
	for (long k = 0; k < ticks; k++) {
		/* The first day as the daemon writes (one transaction per round)
		 * gives the ingest rate; the rest is written 360 rounds at a time
		 * so a month takes minutes, not an hour. */
		if (k == MEASURED_ROUNDS)
			took = now_monotonic() - t0;
		if (k >= MEASURED_ROUNDS && k % 360 == 0 && store_batch_begin(st))
			exit(2);
		batch_reset(&b);
		for (int m = 0; m < METRICS; m++)
			batch_put(&b, names[m], value_of(m, k, &rng), "count");
		if (store_samples(st, run, t + (double)k * INTERVAL, (uint64_t)k * 1000, &b)) {
			fprintf(stderr, "store-bench: round %ld: %s\n", k, store_errmsg(st));
			exit(2);
		}
		/* As the daemon does (daemon/retention.c): hourly, raw samples
		 * older than 7 days go; the rollups keep the trends. */
		int64_t pruned;
		if (k >= MEASURED_ROUNDS && (k % 360 == 359 || k == ticks - 1) && store_batch_end(st))
			exit(2);
		if (k % 360 == 359 && store_prune_samples(st, t + (double)k * INTERVAL - RETENTION_S, &pruned)) {
			fprintf(stderr, "store-bench: prune: %s\n", store_errmsg(st));
			exit(2);
		}
	}
	long measured = ticks < MEASURED_ROUNDS ? ticks : MEASURED_ROUNDS;
	if (ticks <= MEASURED_ROUNDS)
		took = now_monotonic() - t0;
	store_end_run(st, run, t + (double)ticks * INTERVAL);
	/* the final verdicts, as the daemon stores them at its stop */
	if (gs_store_verdicts(store_db(st), run, NULL, err, sizeof(err))) {
		fprintf(stderr, "store-bench: verdicts: %s\n", err);
		exit(2);
	}
	store_close(st);
	batch_free(&b);
	long rows, bytes = file_bytes(path);
	double q, qcpu;
	time_query(path, "SELECT * FROM leak_trends", 5, &rows, &q, &qcpu);
	printf("gemsoak_ingest_samples_per_s %.0f\n", (double)measured * METRICS / took);
	printf("gemsoak_db_bytes %ld\n", bytes);
	printf("gemsoak_bytes_per_sample %.1f\n", (double)bytes / ((double)ticks * METRICS));
	printf("gemsoak_leak_trends_ms %.1f\n", q * 1000);
	printf("gemsoak_leak_trends_cpu_ms %.1f\n", qcpu * 1000);
	printf("gemsoak_leak_trends_rows %ld\n", rows);
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "store-bench: baseline: %s\n", msg);
		exit(2);
	}
}

/* The naive baseline: what one would write first. */
static void bench_naive(const char *path, long ticks)
{
	sqlite3 *db;
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		exit(2);
	exec_or_die(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			"CREATE TABLE v(run_id INTEGER, metric TEXT, t REAL, cycles INTEGER, value REAL,"
			" PRIMARY KEY(run_id, metric, t));"
			"CREATE VIEW naive_trends AS SELECT run_id, metric, count(*) AS n,"
			" (count(*)*sum(t*value) - sum(t)*sum(value)) / (count(*)*sum(t*t) - sum(t)*sum(t)) * 3600"
			"  AS slope_per_hour FROM (SELECT run_id, metric, t - 1.7e9 AS t, value FROM v)"
			" GROUP BY run_id, metric;");
	sqlite3_stmt *ins;
	sqlite3_prepare_v2(db, "INSERT INTO v VALUES (1, ?, ?, ?, ?)", -1, &ins, NULL);
	unsigned rng = 1;
	double t0 = now_monotonic(), took = 0;
	for (long k = 0; k < ticks; k++) {
		if (k == MEASURED_ROUNDS)
			took = now_monotonic() - t0;
		bool own_tx = k < MEASURED_ROUNDS;
		if (own_tx || k % 360 == 0)
			exec_or_die(db, "BEGIN");
		for (int m = 0; m < METRICS; m++) {
			sqlite3_bind_text(ins, 1, names[m], -1, SQLITE_STATIC);
			sqlite3_bind_double(ins, 2, 1.7e9 + (double)k * INTERVAL);
			sqlite3_bind_int64(ins, 3, k * 1000);
			sqlite3_bind_double(ins, 4, value_of(m, k, &rng));
			sqlite3_step(ins);
			sqlite3_reset(ins);
		}
		if (own_tx || k % 360 == 359 || k == ticks - 1)
			exec_or_die(db, "COMMIT");
	}
	long measured = ticks < MEASURED_ROUNDS ? ticks : MEASURED_ROUNDS;
	if (ticks <= MEASURED_ROUNDS)
		took = now_monotonic() - t0;
	sqlite3_finalize(ins);
	exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	long rows, bytes = file_bytes(path);
	double q, qcpu; /* one run: it takes seconds */
	time_query(path, "SELECT * FROM naive_trends", 1, &rows, &q, &qcpu);
	printf("naive_ingest_samples_per_s %.0f\n", (double)measured * METRICS / took);
	printf("naive_db_bytes %ld\n", bytes);
	printf("naive_bytes_per_sample %.1f\n", (double)bytes / ((double)ticks * METRICS));
	printf("naive_trends_ms %.1f\n", q * 1000);
}

int main(int argc, char **argv)
{
	double days = 30;
	const char *dir = "build/bench";
	int opt;
	while ((opt = getopt(argc, argv, "d:o:h")) != -1) {
		switch (opt) {
		case 'd': days = atof(optarg); break;
		case 'o': dir = optarg; break;
		default:
			fprintf(stderr, "usage: store-bench [-d DAYS] [-o DIR]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	long ticks = (long)(days * 86400 / INTERVAL);
	name_metrics();
	char path[512];
	printf("days %.1f\nmetrics %d\nrounds %ld\n", days, METRICS, ticks);
	snprintf(path, sizeof(path), "%s/store-bench.db", dir);
	bench_store(path, ticks);
	snprintf(path, sizeof(path), "%s/store-naive.db", dir);
	bench_naive(path, ticks);
	return 0;
}
