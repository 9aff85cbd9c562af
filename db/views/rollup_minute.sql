-- The per-minute rollups of every run and metric.
CREATE VIEW rollup_minute AS
    SELECT run_id, metric_id, bucket, vmin AS min, vmax AS max, vsum / n AS mean, vsum AS sum, n AS count
    FROM rollups WHERE width = 60;
