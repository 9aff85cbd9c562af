/* The engine's cost on a run of a database (gemsoak-synth --preset bench):
 * the full judgement of its newest run, one round of the daemon (a round
 * of samples written through the store, then the run judged from a state
 * kept between rounds and its verdicts stored), and a
 * `SELECT * FROM leak_trends`, CPU times of this process; and, with a
 * gemsoak binary, the CPU time of `gemsoak status` on the database (best
 * of 3, before the rounds). Key value lines for bench/engine.sh. The
 * rounds are written into the database: give it a copy.
 * usage: engine-bench DB [ROUNDS [GEMSOAK]] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "analysis/lows-store.h"
#include "analysis/run.h"
#include "analysis/verdicts.h"
#include "db/store.h"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *why)
{
	fprintf(stderr, "engine-bench: %s: %s\n", what, why);
	return 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The best CPU time of 3 full judgements of run. */
static int full_judgement(sqlite3 *db, int64_t run, double *best, size_t *rows)
{
	char err[256];
	*best = 1e9;
	for (int i = 0; i < 3; i++) {
		struct gs_trend_row *r;
		double t0 = cpu_s();
		if (gs_judge_run(db, run, &r, rows, err, sizeof(err)))
			return die("full judgement", err);
		double t = cpu_s() - t0;
		*best = t < *best ? t : *best;
		free(r);
	}
	return 0;
}

/* The median CPU and wall time of 5 reads of every row of leak_trends. */
static int read_view(sqlite3 *db, double *cpu, double *wall, long *rows)
{
	double c[5], w[5];
	for (int i = 0; i < 5; i++) {
		sqlite3_stmt *s;
		double c0 = cpu_s(), w0 = wall_s();
		if (sqlite3_prepare_v2(db, "SELECT * FROM leak_trends", -1, &s, NULL) != SQLITE_OK)
			return die("leak_trends", sqlite3_errmsg(db));
		*rows = 0;
		while (sqlite3_step(s) == SQLITE_ROW)
			(*rows)++;
		sqlite3_finalize(s);
		c[i] = cpu_s() - c0, w[i] = wall_s() - w0;
	}
	qsort(c, 5, sizeof(double), cmp_double);
	qsort(w, 5, sizeof(double), cmp_double);
	*cpu = c[2], *wall = w[2];
	return 0;
}

/* The best user + system CPU time of 3 `gemsoak status -D path`; -1 when
 * one fails. */
static double status_cpu(const char *gemsoak, const char *path)
{
	double best = -1;
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execl(gemsoak, gemsoak, "status", "-D", path, (char *)NULL);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (pid < 0 || wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
			return -1;
		double c = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			   (double)ru.ru_stime.tv_usec / 1e6;
		best = best < 0 || c < best ? c : best;
	}
	return best;
}

/* Write rounds rounds after the run's last tick (each metric's last value
 * again, 10 s and 5000 cycles on), judging after each from a state primed
 * before the first; the mean and the largest CPU time of a judgement, and
 * the heap the state holds at the end, and of it the findings' lows. */
static int daemon_rounds(const char *path, int64_t run, int rounds, double *mean, double *max, size_t *state,
			 size_t *lows)
{
	struct store *st;
	char err[512];
	if (store_open(path, &st, err, sizeof(err)))
		return die(path, err);
	sqlite3 *db = store_db(st);
	sqlite3_stmt *last;
	if (sqlite3_prepare_v2(db, "SELECT m.name, (SELECT s.value FROM samples s WHERE s.metric_id = m.id"
			       " AND s.tick_id = (SELECT MAX(id) FROM ticks WHERE run_id = ?1)),"
			       " (SELECT MAX(t) FROM ticks WHERE run_id = ?1),"
			       " (SELECT cycles FROM ticks WHERE run_id = ?1 ORDER BY id DESC LIMIT 1)"
			       " FROM metrics m", -1, &last, NULL) != SQLITE_OK)
		return die("last round", sqlite3_errmsg(db));
	sqlite3_bind_int64(last, 1, run);
	struct metric_batch b;
	batch_init(&b);
	double t = 0, cycles = 0;
	while (sqlite3_step(last) == SQLITE_ROW) {
		if (sqlite3_column_type(last, 1) != SQLITE_NULL)
			batch_put(&b, (const char *)sqlite3_column_text(last, 0), sqlite3_column_double(last, 1), "count");
		t = sqlite3_column_double(last, 2);
		cycles = sqlite3_column_double(last, 3);
	}
	sqlite3_finalize(last);
	struct gs_run_state *js = gs_run_state_new(run);
	int r = 0;
	if (!js || gs_store_state_verdicts(db, run, js, NULL, err, sizeof(err)))
		r = die("first judgement", js ? err : "out of memory");
	*mean = 0, *max = 0;
	for (int k = 1; r == 0 && k <= rounds; k++) {
		if (store_samples(st, run, t + 10.0 * k, (uint64_t)(cycles + 5000.0 * k), &b) != 0) {
			r = die("round", store_errmsg(st));
			break;
		}
		double c0 = cpu_s();
		if (gs_store_state_verdicts(db, run, js, NULL, err, sizeof(err)))
			r = die("judgement", err);
		double c = cpu_s() - c0;
		*mean += c / rounds;
		*max = c > *max ? c : *max;
	}
	*state = gs_run_state_bytes(js);
	*lows = gs_lows_store_bytes(gs_run_state_lows(js));
	gs_run_state_free(js);
	batch_free(&b);
	store_close(st);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return die("usage", "engine-bench DB [ROUNDS [GEMSOAK]]");
	int rounds = argc > 2 ? atoi(argv[2]) : 30;
	/* the database as a daemon of this gemsoak leaves it: this schema and
	 * views, every run judged (a database written by an older generator) */
	struct store *st;
	char err[512];
	if (store_open(argv[1], &st, err, sizeof(err)))
		return die(argv[1], err);
	if (gs_store_stale_verdicts(store_db(st), 0, NULL, err, sizeof(err)))
		return die(argv[1], err);
	store_close(st);
	sqlite3 *db;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return die(argv[1], sqlite3_errmsg(db));
	sqlite3_stmt *s;
	int64_t run = 0;
	double span = 0;
	if (sqlite3_prepare_v2(db, "SELECT run_id, span FROM trend_runs ORDER BY run_id DESC LIMIT 1", -1, &s,
			       NULL) != SQLITE_OK)
		return die(argv[1], sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		run = sqlite3_column_int64(s, 0), span = sqlite3_column_double(s, 1);
	sqlite3_finalize(s);
	double full, vcpu, vwall, mean, max;
	size_t rows, state = 0, lows = 0;
	long vrows;
	int r = full_judgement(db, run, &full, &rows);
	if (r == 0)
		r = read_view(db, &vcpu, &vwall, &vrows);
	sqlite3_close(db);
	double status = argc > 3 && r == 0 ? status_cpu(argv[3], argv[1]) : -1;
	if (r == 0)
		r = daemon_rounds(argv[1], run, rounds, &mean, &max, &state, &lows);
	if (r)
		return r;
	printf("days %.1f\nmetrics %zu\nfull_judgement_cpu_ms %.1f\nleak_trends_rows %ld\n", span / 86400, rows,
	       full * 1000, vrows);
	printf("leak_trends_cpu_ms %.2f\nleak_trends_wall_ms %.2f\n", vcpu * 1000, vwall * 1000);
	printf("round_judgement_cpu_ms %.2f\nround_judgement_max_cpu_ms %.2f\nrounds %d\nstate_kb %.0f\n", mean * 1000,
	       max * 1000, rounds, (double)state / 1024);
	printf("state_lows_kb %.0f\n", (double)lows / 1024);
	if (status >= 0)
		printf("status_cpu_ms %.0f\n", status * 1000);
	return 0;
}
