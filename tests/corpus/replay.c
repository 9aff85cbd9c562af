/* Replay a recorded run through the engine round by round, as the daemon
 * saw it: OUT (a copy of the recording, made by the caller) is opened as
 * the store opens any database (migrated, today's views), its run's
 * ticks, samples, rollups, probe pauses and verdicts are set apart, and
 * the rounds go back one at a time (the rollup trigger rebuilds the
 * rollups as the store did), each judged by the engine
 * (gs_store_verdicts): verdict_history then holds every change of every
 * verdict at every round. Tuned for a few hours of rounds: one
 * transaction a round, the recorded rounds read by their key.
 * usage: gemsoak-replay OUT.db [RUN]  (RUN: default the newest)
 * Prints the rounds replayed; exit 0, or 1 with the reason on stderr. */
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

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
	int status = set_apart(db, run) ? 1 : 0;
	for (long i = 1; status == 0 && i <= rounds; i++) {
		err[0] = '\0';
		if (exec(db, "BEGIN") || put_back(db, run, i) ||
		    gs_store_verdicts(db, run, NULL, err, sizeof(err)) || exec(db, "COMMIT")) {
			if (err[0])
				fprintf(stderr, "gemsoak-replay: round %ld: %s\n", i, err);
			status = 1;
		}
	}
	store_close(st);
	if (status == 0)
		printf("%ld\n", rounds);
	return status;
}
