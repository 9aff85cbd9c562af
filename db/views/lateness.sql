-- Lateness: steps a workload killed after their timeout (display-server's
-- server-not-ready, client-timeout, server-stop-timeout, the restart
-- command's restart-timeout): a timing expectation, not a kernel promise.
-- repeats: the steps the row stands for (as in anomalies): count with SUM.
CREATE VIEW lateness AS
SELECT e.id, e.run_id, e.t, substr(e.source, 10) AS workload, e.kind, e.message, e.repeats
FROM events e
WHERE e.source LIKE 'workload %'
  AND e.kind IN ('restart-timeout', 'server-not-ready', 'client-timeout', 'server-stop-timeout');
