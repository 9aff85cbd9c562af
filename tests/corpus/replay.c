/* Replay a recorded run through the engine round by round, as the daemon
 * saw it: OUT (a copy of the recording, made by the caller) is opened as
 * the store opens any database (migrated, today's views), its run's
 * ticks, samples, rollups, probe pauses and verdicts are set apart, and
 * the rounds go back one at a time (the rollup trigger rebuilds the
 * rollups as the store did), each judged by the engine as the daemon
 * judges, from a state kept between rounds that reads only what the
 * round added (gs_store_state_verdicts): verdict_history then holds every
 * change of every verdict at every round. Every CHECK_EVERY rounds and at
 * the last, the state's judgement must be the run's judged from scratch
 * (gs_judge_run): the same verdict, workload, holder, attribution and
 * confidence for every metric. Tuned for a few hours of rounds: one
 * transaction a round, the recorded rounds read by their key.
 * usage: gemsoak-replay OUT.db [RUN]  (RUN: default the newest)
 * Prints the rounds replayed and the rounds checked from scratch; exit 0,
 * or 1 with the reason on stderr. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analysis/run.h"
#include "analysis/verdicts.h"
#include "db/store.h"

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "gemsoak-replay: %s\n", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* The run's rounds set apart in replay_* tables, the run as it stood
 * before its first round. */
static int set_apart(sqlite3 *db, long long run)
{
	char *sql = sqlite3_mprintf(
		"BEGIN;"
		"CREATE TABLE replay_ticks AS SELECT ROW_NUMBER() OVER (ORDER BY id) AS round, id, t, cycles"
		"  FROM ticks WHERE run_id = %lld;"
		"CREATE UNIQUE INDEX replay_ticks_round ON replay_ticks(round);"
		"CREATE TABLE replay_samples AS SELECT s.tick_id, s.metric_id, s.value FROM samples s"
		"  JOIN ticks k ON k.id = s.tick_id WHERE k.run_id = %lld;"
		"CREATE INDEX replay_samples_tick ON replay_samples(tick_id, metric_id);"
		"CREATE TABLE replay_pauses AS SELECT * FROM probe_pauses WHERE run_id = %lld;"
		"DELETE FROM probe_pauses WHERE run_id = %lld;"
		"DELETE FROM rollups WHERE run_id = %lld;"
		"DELETE FROM samples WHERE tick_id IN (SELECT id FROM replay_ticks);"
		"DELETE FROM ticks WHERE run_id = %lld;"
		"DELETE FROM verdicts WHERE run_id = %lld;"
		"DELETE FROM verdict_history WHERE run_id = %lld;"
		"UPDATE runs SET stopped = NULL WHERE id = %lld;"
		"COMMIT;",
		run, run, run, run, run, run, run, run, run);
	int r = sql ? exec(db, sql) : -1;
	sqlite3_free(sql);
	return r;
}

/* Round i back in: its tick, its samples in metric order, the probe
 * pauses begun by then (open until their end has come). */
static int put_back(sqlite3 *db, long long run, long i)
{
	char *sql = sqlite3_mprintf(
		"INSERT INTO ticks(id, run_id, t, cycles) SELECT id, %lld, t, cycles FROM replay_ticks WHERE round = %ld;"
		"INSERT INTO samples(metric_id, tick_id, value) SELECT metric_id, tick_id, value FROM replay_samples"
		"  WHERE tick_id = (SELECT id FROM replay_ticks WHERE round = %ld) ORDER BY metric_id;"
		"DELETE FROM probe_pauses WHERE run_id = %lld;"
		"INSERT INTO probe_pauses SELECT run_id, workload, t_start,"
		"  CASE WHEN t_end <= (SELECT t FROM replay_ticks WHERE round = %ld) THEN t_end END"
		"  FROM replay_pauses WHERE t_start <= (SELECT t FROM replay_ticks WHERE round = %ld);",
		run, i, i, run, i, i);
	int r = sql ? exec(db, sql) : -1;
	sqlite3_free(sql);
	return r;
}

/* A judgement from scratch every this many rounds: it costs what a round
 * of the former replay cost, which judged every round so. */
#define CHECK_EVERY 10

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether two judgements of the same metric agree on what a person
 * reads: its verdict, workload, holder, attribution, confidence. */
static bool same_row(const struct gs_trend_row *a, const struct gs_trend_row *b)
{
	bool conf = (isnan(a->confidence) && isnan(b->confidence)) ||
		    fabs(a->confidence - b->confidence) <= 1e-9 * fmax(1, fabs(a->confidence));
	return a->metric_id == b->metric_id && a->verdict == b->verdict && strcmp(a->workload, b->workload) == 0 &&
	       same_text(a->holder, b->holder) && same_text(a->attribution, b->attribution) && conf;
}

/* Round i: st's judgement (already brought up to date by the round's
 * gs_store_state_verdicts) against the run's judged from scratch. 0 when
 * they agree, else 1 with each metric that differs on stderr; -1 with
 * err filled on an error. */
static int check_round(sqlite3 *db, long long run, struct gs_run_state *st, long i, char *err, size_t errlen)
{
	struct gs_trend_row *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	if (gs_run_state_judge(st, db, &a, &na, err, errlen) || gs_judge_run(db, run, &b, &nb, err, errlen)) {
		free(a);
		free(b);
		return -1;
	}
	int differ = 0;
	if (na != nb) {
		fprintf(stderr, "gemsoak-replay: round %ld: %zu metrics judged from the state, %zu from scratch\n", i,
			na, nb);
		differ = 1;
	}
	for (size_t k = 0; k < na && k < nb; k++) {
		if (same_row(&a[k], &b[k]))
			continue;
		fprintf(stderr,
			"gemsoak-replay: round %ld: %s: %s/%s/%s conf %.6g from the state, %s %s/%s/%s conf %.6g from"
			" scratch\n",
			i, a[k].metric, gs_verdict_name(a[k].verdict), a[k].workload[0] ? a[k].workload : "-",
			a[k].holder ? a[k].holder : "-", a[k].confidence, b[k].metric, gs_verdict_name(b[k].verdict),
			b[k].workload[0] ? b[k].workload : "-", b[k].holder ? b[k].holder : "-", b[k].confidence);
		differ = 1;
	}
	free(a);
	free(b);
	return differ;
}

int main(int argc, char **argv)
{
	/* an option is no database: it would be created under that name */
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: gemsoak-replay OUT.db [RUN]\n");
		return 1;
	}
	char err[512];
	struct store *st;
	if (store_open(argv[1], &st, err, sizeof(err))) {
		fprintf(stderr, "gemsoak-replay: %s\n", err);
		return 1;
	}
	sqlite3 *db = store_db(st);
	long long run = argc == 3 ? atoll(argv[2]) : 0;
	long rounds = 0;
	sqlite3_stmt *q;
	int ok = sqlite3_prepare_v2(db,
				    "SELECT r.id, (SELECT COUNT(*) FROM ticks WHERE run_id = r.id) FROM runs r"
				    " WHERE r.id = ?1 OR (?1 = 0 AND r.id = (SELECT MAX(id) FROM runs))",
				    -1, &q, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(q, 1, run);
		ok = sqlite3_step(q) == SQLITE_ROW;
		if (ok) {
			run = sqlite3_column_int64(q, 0);
			rounds = sqlite3_column_int(q, 1);
		}
		sqlite3_finalize(q);
	}
	if (!ok || rounds == 0) {
		fprintf(stderr, "gemsoak-replay: %s: no run%s%s with rounds\n", argv[1], argc == 3 ? " " : "",
			argc == 3 ? argv[2] : "");
		store_close(st);
		return 1;
	}
	struct gs_run_state *state = gs_run_state_new(run);
	int status = !state || set_apart(db, run) ? 1 : 0;
	long checked = 0;
	for (long i = 1; status == 0 && i <= rounds; i++) {
		err[0] = '\0';
		if (exec(db, "BEGIN") || put_back(db, run, i) ||
		    gs_store_state_verdicts(db, run, state, NULL, err, sizeof(err)) || exec(db, "COMMIT")) {
			if (err[0])
				fprintf(stderr, "gemsoak-replay: round %ld: %s\n", i, err);
			status = 1;
		} else if (i % CHECK_EVERY == 0 || i == rounds) {
			int r = check_round(db, run, state, i, err, sizeof(err));
			if (r < 0)
				fprintf(stderr, "gemsoak-replay: round %ld: %s\n", i, err);
			status = r != 0;
			checked++;
		}
	}
	gs_run_state_free(state);
	store_close(st);
	if (status == 0)
		printf("%ld %ld\n", rounds, checked);
	return status;
}
