-- The points of every run and metric: t, workload cycles c, lowest and
-- highest value lo/hi, mean mid, samples cnt.
CREATE VIEW trend_base AS
-- each run's base worked out once, and the raw samples read by their key
WITH tr AS MATERIALIZED (SELECT run_id, base FROM trend_runs)
SELECT tr.run_id, s.metric_id, k.t, CAST(k.cycles AS REAL) AS c,
       s.value AS lo, s.value AS hi, s.value AS mid, 1 AS cnt
FROM tr CROSS JOIN ticks k CROSS JOIN metrics m CROSS JOIN samples s
WHERE tr.base = 0 AND k.run_id = tr.run_id AND s.metric_id = m.id AND s.tick_id = k.id
UNION ALL
SELECT tr.run_id, w.metric_id, w.t0, CAST(w.c0 AS REAL), w.vmin, w.vmax, w.vsum / w.n, w.n
FROM tr JOIN rollups w ON w.run_id = tr.run_id AND w.width = tr.base
WHERE tr.base > 0;
