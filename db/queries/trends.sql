-- The leak verdicts of the newest run, leaking metrics first.
-- usage: sqlite3 DB < db/queries/trends.sql
.headers on
.mode column
SELECT run_id, metric, verdict, robust_slope, per, slope_per_kcycle, slope_per_hour, r2, windows, span_s
FROM leak_trends
WHERE run_id = (SELECT MAX(id) FROM runs)
ORDER BY verdict = 'leaking' DESC, metric;
