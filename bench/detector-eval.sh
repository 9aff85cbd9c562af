#!/bin/sh
# Detector evaluation: labelled synthetic series (bench/series.c: clean with
# noise, spikes, sawtooths, a restart step, display-server restarts; leaks of
# 1/10000 to 1/100 objects per cycle on top of each) at 100, 500 and 2000
# cycles/s, one hour each; prints the recall and false-alarm rate of the
# leak_trends verdicts, and the time to a verdict for each leak rate and
# cycles/s (the same series cut after 1 to 60 minutes). Run from the top
# directory (`make bench`).
set -eu
db=${1:-build/bench/eval.db}
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"
build/gemsoak-synth --db "$db" --preset eval
echo "== detector evaluation: 1 hour of data, 10 s interval, default thresholds =="
sqlite3 -box "$db" <<'SQL'
WITH v AS (
    SELECT CAST(substr(r.config_text, 8) AS INTEGER) AS cycles_per_s,
           t.metric LIKE 'leak.%' AS leak, t.verdict = 'leaking' AS flagged,
           CASE WHEN t.metric LIKE 'leak.%' THEN CAST(substr(t.metric, 6, instr(substr(t.metric, 6), '.') + 5) AS REAL) END AS rate,
           t.metric
    FROM leak_trends t JOIN runs r ON r.id = t.run_id
)
SELECT cycles_per_s,
       SUM(leak AND flagged) || '/' || SUM(leak) AS leaks_flagged,
       printf('%.1f %%', 100.0 * SUM(leak AND flagged) / SUM(leak)) AS recall,
       SUM(NOT leak AND flagged) || '/' || SUM(NOT leak) AS clean_flagged,
       printf('%.1f %%', 100.0 * SUM(NOT leak AND flagged) / SUM(NOT leak)) AS false_alarms
FROM v GROUP BY cycles_per_s
UNION ALL
SELECT 'all', SUM(leak AND flagged) || '/' || SUM(leak),
       printf('%.1f %%', 100.0 * SUM(leak AND flagged) / SUM(leak)),
       SUM(NOT leak AND flagged) || '/' || SUM(NOT leak),
       printf('%.1f %%', 100.0 * SUM(NOT leak AND flagged) / SUM(NOT leak))
FROM v;
SQL
echo "missed leaks and false alarms:"
sqlite3 -box "$db" "SELECT r.config_text AS run, t.metric, t.verdict, t.robust_slope, t.r2, t.half1_slope, t.half2_slope
    FROM leak_trends t JOIN runs r ON r.id = t.run_id
    WHERE (t.metric LIKE 'leak.%') <> (t.verdict = 'leaking')"

ttv=${db%.db}-ttv.db
rm -f "$ttv" "$ttv-wal" "$ttv-shm"
build/gemsoak-synth --db "$ttv" --preset ttv
echo "== time to a verdict: the first run length (minutes) at which every series of a leak rate is leaking =="
echo "   (runs of 1, 2, 5, 10, 20, 30, 45, 60 minutes; 10 s samples; a sawtooth of 70 s under each leak)"
sqlite3 -box "$ttv" <<'SQL'
-- leak_trends once, in a table: the query below refers to it many times
CREATE TEMP TABLE v AS
    SELECT CAST(substr(r.config_text, 8, instr(r.config_text, char(10)) - 8) AS INTEGER) AS cycles_per_s,
           CAST(substr(r.config_text, instr(r.config_text, 'minutes = ') + 10) AS INTEGER) AS minutes,
           CASE WHEN t.metric LIKE 'leak.%' THEN substr(t.metric, 6, instr(substr(t.metric, 6), '.s') - 1)
                ELSE 'clean' END AS leak,
           t.verdict
    FROM leak_trends t JOIN runs r ON r.id = t.run_id
    WHERE t.metric LIKE 'leak.%' OR t.metric LIKE 'clean.%';
WITH d AS (SELECT cycles_per_s, leak, minutes, SUM(verdict = 'leaking') AS flagged, COUNT(*) AS n,
             SUM(verdict = 'stable') AS stable
      FROM v GROUP BY cycles_per_s, leak, minutes)
SELECT cycles_per_s, leak AS objects_per_cycle,
       CASE WHEN leak = 'clean' THEN SUM(flagged) || ' of ' || SUM(n) || ' runs leaking'
            ELSE COALESCE((SELECT MIN(minutes) FROM d d2 WHERE d2.cycles_per_s = d.cycles_per_s AND d2.leak = d.leak
                           AND d2.flagged = d2.n
                           AND NOT EXISTS (SELECT 1 FROM d d3 WHERE d3.cycles_per_s = d2.cycles_per_s
                                           AND d3.leak = d2.leak AND d3.minutes > d2.minutes AND d3.flagged < d3.n))
                          || ' min', 'not within 60 min') END AS leaking_after,
       CASE WHEN leak = 'clean' THEN COALESCE((SELECT MIN(minutes) FROM d d2 WHERE d2.cycles_per_s = d.cycles_per_s
                           AND d2.leak = d.leak AND d2.stable = d2.n) || ' min', '-') END AS stable_after
FROM d GROUP BY cycles_per_s, leak ORDER BY cycles_per_s, leak = 'clean', CAST(leak AS REAL);
SQL
