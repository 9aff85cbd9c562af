-- gemsoak database, schema version 4: rollups kept as samples arrive, raw
-- samples pruned after a while, and leak verdicts from window floors.
-- The method and its thresholds are described in db/TRENDS.md.

-- Settings the trend views read. window_s: the floor window (default 5 min;
-- gemsoakd writes its `trend_window` here at start).
CREATE TABLE trend_settings (
    key    TEXT PRIMARY KEY,
    value  REAL NOT NULL
) WITHOUT ROWID;
INSERT INTO trend_settings VALUES ('window_s', 300);

-- Aggregates of the samples per bucket of `width` seconds: 60 (per minute),
-- 3600 (per hour), 21600 (6 hours, the floors of runs of weeks) and the
-- floor window. Kept forever; raw samples are not.
-- t0/c0 and t1/c1: time and workload cycles of the first and last sample
-- in the bucket; first/last: their values.
CREATE TABLE rollups (
    run_id    INTEGER NOT NULL,
    width     INTEGER NOT NULL,
    metric_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,          -- bucket start, Unix seconds
    vmin      REAL NOT NULL,
    vmax      REAL NOT NULL,
    vsum      REAL NOT NULL,
    n         INTEGER NOT NULL,
    t0        REAL NOT NULL,
    t1        REAL NOT NULL,
    c0        INTEGER NOT NULL,
    c1        INTEGER NOT NULL,
    first     REAL NOT NULL,
    last      REAL NOT NULL,
    PRIMARY KEY (run_id, width, metric_id, bucket)
) WITHOUT ROWID;

-- UNION ALL: no temporary table for every sample the trigger handles.
CREATE VIEW rollup_widths AS
    SELECT 60 AS width UNION ALL SELECT 3600 UNION ALL SELECT 21600
    UNION ALL SELECT CAST(value AS INTEGER) FROM trend_settings
        WHERE key = 'window_s' AND value >= 1 AND CAST(value AS INTEGER) NOT IN (60, 3600, 21600);

-- A trigger, not code in the store: every writer (the daemon, `gemsoak
-- merge`, a test generator, a hand-run INSERT) keeps the rollups right, and
-- it runs inside the writer's transaction, so a sampling round and its
-- rollups commit or roll back together. Samples arrive in time order.
CREATE TRIGGER samples_rollup AFTER INSERT ON samples BEGIN
    INSERT INTO rollups(run_id, width, metric_id, bucket, vmin, vmax, vsum, n, t0, t1, c0, c1, first, last)
    SELECT k.run_id, w.width, NEW.metric_id, CAST(k.t / w.width AS INTEGER) * w.width,
           NEW.value, NEW.value, NEW.value, 1, k.t, k.t, k.cycles, k.cycles, NEW.value, NEW.value
    FROM ticks k, rollup_widths w WHERE k.id = NEW.tick_id
    ON CONFLICT DO UPDATE SET vmin = min(vmin, excluded.vmin), vmax = max(vmax, excluded.vmax),
        vsum = vsum + excluded.vsum, n = n + 1, t1 = excluded.t1, c1 = excluded.c1,
        last = excluded.last;
END;

CREATE VIEW rollup_minute AS
    SELECT run_id, metric_id, bucket, vmin AS min, vmax AS max, vsum / n AS mean, vsum AS sum, n AS count
    FROM rollups WHERE width = 60;
CREATE VIEW rollup_hour AS
    SELECT run_id, metric_id, bucket, vmin AS min, vmax AS max, vsum / n AS mean, vsum AS sum, n AS count
    FROM rollups WHERE width = 3600;

-- When a metric's trend is a leak. The row whose GLOB pattern matches the
-- metric name and is longest applies. Slopes are of the window floor, per
-- 1000 workload cycles (per hour when the run did no cycles).
CREATE TABLE trend_thresholds (
    pattern        TEXT PRIMARY KEY,
    assess         INTEGER NOT NULL DEFAULT 1,  -- 0: a counter, not assessed
    min_windows    INTEGER NOT NULL,            -- fewer floors: insufficient-data
    min_span_s     REAL NOT NULL,               -- shorter: insufficient-data
    min_per_kcycle REAL NOT NULL,
    min_per_hour   REAL NOT NULL,
    min_r2         REAL NOT NULL,               -- goodness of the floor fit
    min_half_ratio REAL NOT NULL                -- each half's slope / the minimum slope
) WITHOUT ROWID;
INSERT INTO trend_thresholds VALUES
    ('*',                      1, 6, 1200, 0.05, 2,    0.5, 1),
    ('*bytes',                 1, 6, 1200, 100,  8192, 0.5, 1),
    ('*_kb',                   1, 6, 1200, 0.2,  64,   0.5, 1),
    ('workload.*',             0, 6, 1200, 0,    0,    0,   0),
    ('daemon.samples_dropped', 0, 6, 1200, 0,    0,    0,   0);

DROP VIEW leak_trends;

-- Per run: its time range, whether work was done (then slopes are judged
-- per 1000 cycles), and the floor window: the configured one, an hour for
-- runs longer than two days, 6 hours beyond ten days, so the view stays
-- fast over weeks.
CREATE VIEW trend_runs AS
WITH r AS (
    SELECT ru.id, ru.started,
           (SELECT MIN(t) FROM ticks WHERE run_id = ru.id) AS t_first,
           (SELECT MAX(t) FROM ticks WHERE run_id = ru.id) AS t_last,
           (SELECT cycles FROM ticks WHERE run_id = ru.id ORDER BY t DESC LIMIT 1) AS cycles,
           (SELECT COUNT(*) FROM ticks WHERE run_id = ru.id) AS ticks,
           (SELECT CAST(value AS INTEGER) FROM trend_settings WHERE key = 'window_s') AS window_s
    FROM runs ru
)
SELECT id AS run_id, started, t_first, t_last, (t_first + t_last) / 2 AS t_mid,
       CASE WHEN ticks > 1 THEN (t_last - t_first) / (ticks - 1) END AS interval_s,
       COALESCE(cycles, 0) > 0 AS by_cycles, width,
       -- every ts_stride-th window takes part in the Theil-Sen slope (<= 16)
       CAST((t_last - t_first) / width / 16 AS INTEGER) + 1 AS ts_stride
FROM (SELECT *, CASE WHEN t_last - t_first > 864000 THEN max(window_s, 21600)
                      WHEN t_last - t_first > 172800 THEN max(window_s, 3600)
                      ELSE window_s END AS width
      FROM r);

-- Every floor window of every metric and run. vmin is the window's
-- minimum; floor is the highest minimum of the window and its two
-- neighbours, so one window emptied by a display-server restart does not
-- pull the floor down. u is the axis the verdict uses (cycles, or seconds
-- when the run did no work); h1 marks the first half of the run.
CREATE VIEW trend_floors AS
WITH tr AS MATERIALIZED (SELECT * FROM trend_runs)
SELECT w.run_id, w.metric_id, tr.by_cycles, tr.width,
       w.t0 - tr.started AS x, CAST(w.c0 AS REAL) AS c, w.vmin AS y,
       (w.t0 + w.t1) / 2 - tr.started AS xm, (w.c0 + w.c1) / 2.0 AS cm, w.vsum / w.n AS ym,
       CASE WHEN tr.by_cycles THEN CAST(w.c0 AS REAL) ELSE w.t0 - tr.started END AS u,
       MAX(w.vmin) OVER win3 AS f,
       w.t0 < tr.t_mid AS h1, w.n, w.t0, w.t1,
       w.bucket, tr.ts_stride
FROM tr JOIN rollups w ON w.run_id = tr.run_id AND w.width = tr.width
-- A window with less than half the samples of a full one (the run's first
-- and last, those cut by an outage) has no floor to speak of; a run shorter
-- than three windows keeps them, its metrics listed as insufficient-data.
WHERE w.n >= 0.5 * tr.width / COALESCE(tr.interval_s, tr.width) - 0.01
   OR tr.t_last - tr.t_first < 2 * tr.width
WINDOW win AS (PARTITION BY w.run_id, w.metric_id ORDER BY w.bucket),
       win3 AS (win ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING);

-- The threshold row that applies to each metric.
CREATE VIEW metric_thresholds AS
SELECT m.id AS metric_id, th.*
FROM metrics m JOIN trend_thresholds th
  ON th.pattern = (SELECT pattern FROM trend_thresholds WHERE m.name GLOB pattern
                   ORDER BY length(pattern) DESC, pattern LIMIT 1);

-- Computed in one statement so the floors are worked out once:
--  fits: least-squares fits per run and metric: of the window minima
--        against time and cycles (the reported slopes), of the means, and
--        of the floors against u, on the whole run (r2) and on each half
--        (a check against single steps);
--  ts:   the Theil-Sen slope of the floors against u, the median of the
--        slopes between every two windows, which steps and outliers barely
--        move. At most 16 evenly spread windows take part, so the cost stays
--        bounded on long runs.
CREATE VIEW leak_trends AS
WITH fl AS MATERIALIZED (SELECT * FROM trend_floors),
agg AS (
    SELECT run_id, metric_id, by_cycles, width, COUNT(*) AS windows, SUM(n) AS samples,
           MIN(t0) AS t_first, MAX(t1) AS t_last,
           AVG(x) AS mx, AVG(x * x) AS mxx, AVG(x * y) AS mxy,
           AVG(c) AS mc, AVG(c * c) AS mcc, AVG(c * y) AS mcy, AVG(y) AS my,
           AVG(f) AS mf, AVG(f * f) AS mff,
           AVG(u) AS mu, AVG(u * u) AS muu, AVG(u * f) AS muf,
           AVG(xm) AS mxm, AVG(xm * xm) AS mxmxm, AVG(xm * ym) AS mxmym, AVG(ym) AS mym,
           AVG(cm) AS mcm, AVG(cm * cm) AS mcmcm, AVG(cm * ym) AS mcmym,
           SUM(h1) AS n1, SUM(h1 * u) AS su1, SUM(h1 * u * u) AS suu1, SUM(h1 * u * f) AS suf1,
           SUM(h1 * f) AS sf1,
           SUM(1 - h1) AS n2, SUM((1 - h1) * u) AS su2, SUM((1 - h1) * u * u) AS suu2,
           SUM((1 - h1) * u * f) AS suf2, SUM((1 - h1) * f) AS sf2
    FROM fl GROUP BY run_id, metric_id
),
fits AS (
    SELECT run_id, metric_id, by_cycles, width, windows, samples, t_first, t_last,
       CASE WHEN mxx - mx * mx > 1e-9 THEN (mxy - mx * my) / (mxx - mx * mx) * 3600 END AS floor_per_hour,
       CASE WHEN mcc - mc * mc > 1e-9 THEN (mcy - mc * my) / (mcc - mc * mc) * 1000 END AS floor_per_kcycle,
       CASE WHEN mxmxm - mxm * mxm > 1e-9 THEN (mxmym - mxm * mym) / (mxmxm - mxm * mxm) * 3600 END AS mean_per_hour,
       CASE WHEN mcmcm - mcm * mcm > 1e-9 THEN (mcmym - mcm * mym) / (mcmcm - mcm * mcm) * 1000 END AS mean_per_kcycle,
       CASE WHEN muu - mu * mu > 1e-9 AND mff - mf * mf > 1e-9
            THEN (muf - mu * mf) * (muf - mu * mf) / ((muu - mu * mu) * (mff - mf * mf)) END AS r2,
       CASE WHEN n1 >= 2 AND n1 * suu1 - su1 * su1 > 1e-9
            THEN (n1 * suf1 - su1 * sf1) / (n1 * suu1 - su1 * su1) END AS u_slope1,
       CASE WHEN n2 >= 2 AND n2 * suu2 - su2 * su2 > 1e-9
            THEN (n2 * suf2 - su2 * sf2) / (n2 * suu2 - su2 * su2) END AS u_slope2
    FROM agg
),
g AS (
    -- Each series' points as one JSON array, so pairs are formed within a
    -- series without a join over all of them.
    SELECT run_id, metric_id, json_group_array(json_array(u, f)) AS pts
    FROM (SELECT run_id, metric_id, u, f FROM fl
          WHERE (bucket / width) % ts_stride = 0 ORDER BY run_id, metric_id, bucket)
    GROUP BY run_id, metric_id
),
pairs AS (
    SELECT g.run_id, g.metric_id,
           (json_extract(b.value, '$[1]') - json_extract(a.value, '$[1]')) /
           (json_extract(b.value, '$[0]') - json_extract(a.value, '$[0]')) AS s
    FROM g, json_each(g.pts) a, json_each(g.pts) b
    WHERE b.key > a.key AND json_extract(b.value, '$[0]') > json_extract(a.value, '$[0]')
),
ranked AS (
    SELECT run_id, metric_id, s, ROW_NUMBER() OVER (PARTITION BY run_id, metric_id ORDER BY s) AS r,
           COUNT(*) OVER (PARTITION BY run_id, metric_id) AS np
    FROM pairs
),
ts AS MATERIALIZED (SELECT run_id, metric_id, s AS u_slope FROM ranked WHERE r = (np + 1) / 2),
th AS MATERIALIZED (SELECT * FROM metric_thresholds),
v AS (
    SELECT f.*, th.assess, th.min_windows, th.min_span_s, th.min_r2, th.min_half_ratio,
           ts.u_slope * (CASE WHEN f.by_cycles THEN 1000 ELSE 3600 END) AS slope,
           CASE WHEN f.by_cycles THEN th.min_per_kcycle ELSE th.min_per_hour END AS min_slope,
           CASE WHEN f.by_cycles THEN 1000 ELSE 3600 END AS unit
    FROM fits f LEFT JOIN th ON th.metric_id = f.metric_id
    LEFT JOIN ts ON ts.run_id = f.run_id AND ts.metric_id = f.metric_id
)
SELECT v.run_id,
       m.name AS metric,
       v.samples,
       ROUND(v.t_last - v.t_first, 1) AS span_s,
       (SELECT first FROM rollups w WHERE w.run_id = v.run_id AND w.width = v.width
         AND w.metric_id = v.metric_id ORDER BY bucket LIMIT 1) AS first_value,
       (SELECT last FROM rollups w WHERE w.run_id = v.run_id AND w.width = v.width
         AND w.metric_id = v.metric_id ORDER BY bucket DESC LIMIT 1) AS last_value,
       ROUND(v.floor_per_hour, 3) AS slope_per_hour,
       ROUND(v.floor_per_kcycle, 3) AS slope_per_kcycle,
       ROUND(v.mean_per_hour, 3) AS mean_per_hour,
       ROUND(v.mean_per_kcycle, 3) AS mean_per_kcycle,
       ROUND(v.slope, 3) AS robust_slope,
       CASE WHEN v.by_cycles THEN 'kcycle' ELSE 'hour' END AS per,
       v.windows,
       v.width AS window_s,
       ROUND(v.r2, 3) AS r2,
       ROUND(v.u_slope1 * v.unit, 3) AS half1_slope,
       ROUND(v.u_slope2 * v.unit, 3) AS half2_slope,
       CASE WHEN NOT COALESCE(v.assess, 1) THEN 'not-assessed'
            WHEN v.windows < v.min_windows OR v.t_last - v.t_first < v.min_span_s
                 THEN 'insufficient-data'
            WHEN COALESCE(v.slope, 0) >= v.min_slope AND COALESCE(v.r2, 0) >= v.min_r2
                 AND COALESCE(v.u_slope1 * v.unit, 0) >= v.min_half_ratio * v.min_slope
                 AND COALESCE(v.u_slope2 * v.unit, 0) >= v.min_half_ratio * v.min_slope
                 THEN 'leaking'
            ELSE 'stable' END AS verdict
FROM v JOIN metrics m ON m.id = v.metric_id
ORDER BY v.run_id, m.name;
