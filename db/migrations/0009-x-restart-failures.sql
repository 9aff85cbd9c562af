-- gemsoak database, schema 0009: x-restart's failures are anomalies, its
-- timeouts are lateness. A display server that exits before it is ready
-- (server-failed), a client that fails (client-failed) and a server that
-- ends otherwise than on SIGTERM (server-exit) are failed restarts, counted
-- as anomalies. A step killed after its `timeout` (server-not-ready,
-- client-timeout, server-stop-timeout, and the restart command's
-- restart-timeout) only says it was slower than the workload expected: the
-- kernel promises no timing, so they are counted apart, in `lateness`.
-- A run whose restarts all fail or time out did no work (gemsoak gate).
DROP VIEW IF EXISTS anomalies_per_hour;
DROP VIEW IF EXISTS anomalies;

CREATE VIEW anomalies AS
SELECT e.id, e.run_id, e.t, substr(e.source, 10) AS workload, e.kind, e.message
FROM events e
WHERE e.source LIKE 'workload %'
  AND (e.kind IN ('promise', 'unexpected-errno', 'signal', 'restart-failed',
                  'server-failed', 'client-failed', 'server-exit', 'protocol', 'size')
       OR (e.kind = 'worker-exit' AND e.message LIKE '%killed by signal%'));

-- Anomalies per run, hour of the run (0 = the first hour), workload and kind.
CREATE VIEW anomalies_per_hour AS
SELECT a.run_id,
       CAST((a.t - r.started) / 3600 AS INTEGER) AS hour,
       a.workload,
       a.kind,
       COUNT(*) AS anomalies
FROM anomalies a JOIN runs r ON r.id = a.run_id
GROUP BY a.run_id, hour, a.workload, a.kind
ORDER BY a.run_id, hour, a.workload, a.kind;

-- Steps a workload killed after their timeout: a timing expectation, not
-- a kernel promise.
CREATE VIEW lateness AS
SELECT e.id, e.run_id, e.t, substr(e.source, 10) AS workload, e.kind, e.message
FROM events e
WHERE e.source LIKE 'workload %'
  AND e.kind IN ('restart-timeout', 'server-not-ready', 'client-timeout', 'server-stop-timeout');
