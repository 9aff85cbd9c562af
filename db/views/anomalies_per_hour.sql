CREATE VIEW anomalies_per_hour AS
SELECT a.run_id,
       CAST((a.t - r.started) / 3600 AS INTEGER) AS hour,
       a.workload,
       a.kind,
       SUM(a.repeats) AS anomalies
FROM anomalies a JOIN runs r ON r.id = a.run_id
GROUP BY a.run_id, hour, a.workload, a.kind
ORDER BY a.run_id, hour, a.workload, a.kind;
