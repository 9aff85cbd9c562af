-- Anomalies: the events that say the kernel broke a promise rather than
-- that a counter grew. Workers report them (events from 'workload NAME'
-- with these kinds: a violated promise, an errno the uAPI does not
-- document for that ioctl and race, a restart command that failed, a
-- display server that exited before it was ready (server-failed) or
-- otherwise than on SIGTERM (server-exit), a client that failed, a
-- protocol or size mismatch); a worker process killed by a signal is one
-- too. Steps killed after their timeout are lateness, not anomalies.
-- repeats: how many anomalies the row stands for (the prune folds a
-- run's many alike into one row, db/migrations/0012): count with SUM.
CREATE VIEW anomalies AS
SELECT e.id, e.run_id, e.t, substr(e.source, 10) AS workload, e.kind, e.message, e.repeats
FROM events e
WHERE e.source LIKE 'workload %'
  AND (e.kind IN ('promise', 'unexpected-errno', 'signal', 'restart-failed',
                  'server-failed', 'client-failed', 'server-exit', 'protocol', 'size')
       OR (e.kind = 'worker-exit' AND e.message LIKE '%killed by signal%'));
