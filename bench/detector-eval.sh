#!/bin/sh
# Detector evaluation: labelled synthetic series (bench/series.c: clean with
# noise, spikes, sawtooths, a restart step, display-server restarts; leaks of
# 1/10000 to 1/100 objects per cycle on top of each) at 100, 500 and 2000
# cycles/s, one hour each; prints the recall and false-alarm rate of the
# leak_trends verdicts. Run from the top directory (`make bench`).
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
