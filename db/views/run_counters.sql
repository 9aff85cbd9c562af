-- Each run's workload cycle counters (workload.NAME.cycles): the first and
-- last tick with a sample of each, their times and values. Read by key:
-- a run's ticks are numbered in time order, so its first and last come
-- from the ticks' (run, t) index and each counter's ends from the samples'
-- key (metric, tick), read from either end until a tick of the run; the
-- cost does not grow with the run (status and gate scanned every sample
-- of a 90-day run, 0.15 s each). Select it WHERE run_id = ?.
CREATE VIEW run_counters AS
SELECT c.run_id, c.metric_id, c.workload, c.first_tick, c.last_tick,
       (SELECT t FROM ticks WHERE id = c.first_tick) AS t_first,
       (SELECT t FROM ticks WHERE id = c.last_tick) AS t_last,
       (SELECT value FROM samples WHERE metric_id = c.metric_id AND tick_id = c.first_tick) AS first_value,
       (SELECT value FROM samples WHERE metric_id = c.metric_id AND tick_id = c.last_tick) AS last_value
FROM (SELECT k.run_id, m.id AS metric_id, substr(m.name, 10, length(m.name) - 16) AS workload,
             (SELECT s.tick_id FROM samples s WHERE s.metric_id = m.id AND s.tick_id >= k.lo
                AND (SELECT run_id FROM ticks WHERE id = s.tick_id) = k.run_id
              ORDER BY s.tick_id LIMIT 1) AS first_tick,
             (SELECT s.tick_id FROM samples s WHERE s.metric_id = m.id AND s.tick_id <= k.hi
                AND (SELECT run_id FROM ticks WHERE id = s.tick_id) = k.run_id
              ORDER BY s.tick_id DESC LIMIT 1) AS last_tick
      FROM (SELECT r.id AS run_id,
                   (SELECT id FROM ticks WHERE run_id = r.id ORDER BY t LIMIT 1) AS lo,
                   (SELECT id FROM ticks WHERE run_id = r.id ORDER BY t DESC LIMIT 1) AS hi
            FROM runs r) k
      JOIN metrics m ON m.name GLOB 'workload.*.cycles') c
WHERE c.last_tick IS NOT NULL;
