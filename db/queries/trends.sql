-- The leak verdicts of the newest run, leaking metrics first, gemsoakd's
-- own (scope daemon) last.
-- usage: sqlite3 DB < db/queries/trends.sql
.headers on
.mode column
SELECT run_id, metric, verdict, confidence, robust_slope, per, workload, slope_per_kcycle_workload,
       holder, slope_per_kcycle, slope_per_hour, r2, windows, window_s, span_s, scope
FROM leak_trends
WHERE run_id = (SELECT MAX(id) FROM runs)
ORDER BY scope = 'kernel' DESC, verdict = 'leaking' DESC, metric;
