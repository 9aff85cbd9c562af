-- Warnings and errors per hour and kind (worker deaths, hangs, ioctl
-- refusals, gaps, lost sources), over every run, newest hours first.
-- usage: sqlite3 DB < db/queries/anomalies-per-hour.sql
.headers on
.mode column
SELECT strftime('%Y-%m-%d %H:00', t, 'unixepoch') AS hour, run_id, kind, SUM(repeats) AS events
FROM events
WHERE severity IN ('err', 'warning')
GROUP BY hour, run_id, kind
ORDER BY hour DESC, events DESC, kind;
