#!/bin/sh
# Replay a recorded run through the detector round by round, as the daemon
# saw it: a copy of DB is emptied of its ticks, samples and rollups, then
# its rounds go back in one at a time (the rollup trigger rebuilds the
# rollups as the store did) and leak_trends is read after each. Every change
# of a metric's verdict is kept in the copy's table `replay`:
#   round, t (seconds since the run's start), cycles, metric, verdict,
#   confidence, per_kcycle (of the attributed workload, else of all),
#   workload, scope.
# usage: replay.sh DB OUT.db [RUN]   (RUN: default the newest)
# STRIDE=N: read the verdicts after every Nth round only (and the last);
# every round still goes in, one at a time. The view costs O(history) per
# read, about a second a round on a busy 2-core host at 2 hours, so
# make check reads every minute's round.
# Prints the rounds replayed. The copy is OUT.db; DB is not altered.
set -eu
src=$1 out=$2 run=${3:-}
stride=${STRIDE:-1}
[ -f "$src" ] || { echo "replay: $src: no such database" >&2; exit 2; }
rm -f "$out" "$out-wal" "$out-shm"
sqlite3 "$src" ".backup '$out'"
[ -n "$run" ] || run=$(sqlite3 "$out" 'select max(id) from runs')
[ -n "$run" ] || { echo "replay: $src holds no run" >&2; exit 2; }
rounds=$(sqlite3 "$out" "select count(*) from ticks where run_id = $run")
[ "$rounds" -gt 0 ] || { echo "replay: run $run of $src has no round" >&2; exit 2; }

# The recorded rounds set apart; the run as it stood before its first.
sqlite3 "$out" > /dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TABLE replay_ticks AS SELECT ROW_NUMBER() OVER (ORDER BY id) AS round, * FROM ticks WHERE run_id = $run;
CREATE INDEX replay_ticks_round ON replay_ticks(round);
CREATE TABLE replay_samples AS
    SELECT s.* FROM samples s JOIN ticks k ON k.id = s.tick_id WHERE k.run_id = $run;
CREATE INDEX replay_samples_tick ON replay_samples(tick_id);
CREATE TABLE replay_pauses AS SELECT * FROM probe_pauses WHERE run_id = $run;
DELETE FROM probe_pauses;
DELETE FROM rollups;
DELETE FROM samples;
DELETE FROM ticks;
DELETE FROM runs WHERE id <> $run;
UPDATE runs SET stopped = NULL;
CREATE TABLE replay (round INTEGER, t REAL, cycles INTEGER, metric TEXT, verdict TEXT,
                     confidence REAL, per_kcycle REAL, workload TEXT, scope TEXT);
CREATE TABLE replay_last (metric TEXT PRIMARY KEY, verdict TEXT) WITHOUT ROWID;
COMMIT;
VACUUM;
SQL

# One statement list per round: its tick and samples, the probe pauses
# begun by then (as the daemon wrote them: open until they ended), then the
# verdicts that changed.
i=1
while [ $i -le "$rounds" ]; do
	if [ $((i % stride)) -ne 0 ] && [ $i -ne "$rounds" ]; then
		cat <<SQL
INSERT INTO ticks SELECT id, run_id, t, cycles FROM replay_ticks WHERE round = $i;
INSERT INTO samples SELECT s.* FROM replay_samples s
    WHERE s.tick_id = (SELECT id FROM replay_ticks WHERE round = $i) ORDER BY s.metric_id;
SQL
		i=$((i + 1))
		continue
	fi
	cat <<SQL
BEGIN;
INSERT INTO ticks SELECT id, run_id, t, cycles FROM replay_ticks WHERE round = $i;
INSERT INTO samples SELECT s.* FROM replay_samples s
    WHERE s.tick_id = (SELECT id FROM replay_ticks WHERE round = $i) ORDER BY s.metric_id;
DELETE FROM probe_pauses;
INSERT INTO probe_pauses SELECT run_id, workload, t_start,
       CASE WHEN t_end <= (SELECT t FROM replay_ticks WHERE round = $i) THEN t_end END
    FROM replay_pauses WHERE t_start <= (SELECT t FROM replay_ticks WHERE round = $i);
CREATE TEMP TABLE v AS SELECT * FROM leak_trends WHERE run_id = $run;
INSERT INTO replay
    SELECT $i, k.t - r.started, k.cycles, v.metric, v.verdict, v.confidence,
           coalesce(v.slope_per_kcycle_workload, v.slope_per_kcycle), v.workload, v.scope
    FROM v, replay_ticks k, runs r
    LEFT JOIN replay_last l ON l.metric = v.metric
    WHERE k.round = $i AND r.id = $run AND l.verdict IS NOT v.verdict;
INSERT OR REPLACE INTO replay_last SELECT metric, verdict FROM v;
DROP TABLE v;
COMMIT;
SQL
	i=$((i + 1))
done | { echo "PRAGMA synchronous = OFF;"; cat; } | sqlite3 -bail "$out"
echo "$rounds"
