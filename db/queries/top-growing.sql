-- The ten assessed metrics whose floor grows fastest in the newest run,
-- per 1000 workload cycles (per hour for runs without work).
-- usage: sqlite3 DB < db/queries/top-growing.sql
.headers on
.mode column
SELECT metric, verdict, robust_slope, per, slope_per_hour, r2, first_value, last_value
FROM leak_trends
WHERE run_id = (SELECT MAX(id) FROM runs) AND verdict <> 'not-assessed'
ORDER BY robust_slope DESC
LIMIT 10;
