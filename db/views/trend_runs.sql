-- Per run: its time range, whether work was done (then slopes are judged
-- per 1000 cycles), and the points it is judged on: base 0 = the raw
-- samples (short runs whose samples are still kept), else the rollups of
-- that width; step = the spacing of those points.
CREATE VIEW trend_runs AS
WITH r AS (
    SELECT ru.id, ru.started,
           (SELECT MIN(t) FROM ticks WHERE run_id = ru.id) AS t_first,
           (SELECT MAX(t) FROM ticks WHERE run_id = ru.id) AS t_last,
           (SELECT cycles FROM ticks WHERE run_id = ru.id ORDER BY t DESC LIMIT 1) AS cycles,
           (SELECT COUNT(*) FROM ticks WHERE run_id = ru.id) AS ticks,
           -- the ticks up to one more than raw_max_points: what the base
           -- needs, read in bounded time whatever the run's length
           (SELECT COUNT(*) FROM (SELECT 1 FROM ticks WHERE run_id = ru.id LIMIT
               (SELECT value FROM trend_settings WHERE key = 'raw_max_points') + 1)) AS ticks_upto,
           -- by the samples' key (metric, tick), not a scan of them all
           EXISTS (SELECT 1 FROM metrics m CROSS JOIN samples s WHERE s.metric_id = m.id AND s.tick_id =
                   (SELECT id FROM ticks WHERE run_id = ru.id ORDER BY t LIMIT 1)) AS raw_kept,
           (SELECT value FROM trend_settings WHERE key = 'raw_max_points') AS raw_max
    FROM runs ru
)
SELECT id AS run_id, started, t_first, t_last, t_last - t_first AS span,
       (t_first + t_last) / 2 AS t_mid,
       CASE WHEN ticks > 1 THEN (t_last - t_first) / (ticks - 1) END AS interval_s,
       COALESCE(cycles, 0) > 0 AS by_cycles, base,
       CASE WHEN base > 0 THEN base WHEN ticks_upto > 1 THEN (t_last - t_first) / (ticks_upto - 1) ELSE 1 END AS step
FROM (SELECT *, CASE WHEN raw_kept AND ticks_upto <= raw_max THEN 0
                     WHEN t_last - t_first <= 43200 THEN 60
                     WHEN t_last - t_first <= 2592000 THEN 3600
                     ELSE 21600 END AS base
      FROM r);
