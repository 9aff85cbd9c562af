-- gemsoak database, schema version 1.
-- Times are Unix seconds (REAL). One run per daemon start; one tick per
-- sampling round (with the workloads' total cycles at that moment); one
-- sample per metric and tick.

CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    started         REAL NOT NULL,
    stopped         REAL,
    hostname        TEXT NOT NULL DEFAULT '',
    kernel_release  TEXT NOT NULL,       -- uname -r
    kernel_version  TEXT NOT NULL DEFAULT '', -- uname -v
    device          TEXT NOT NULL DEFAULT '',
    driver          TEXT NOT NULL DEFAULT '',
    capabilities    TEXT NOT NULL DEFAULT '',
    config_path     TEXT NOT NULL DEFAULT '',
    config_text     TEXT NOT NULL,
    gemsoak_version TEXT NOT NULL DEFAULT ''
);

CREATE TABLE metrics (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,        -- gem.flink_names, dmabuf.objects, ...
    unit    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE ticks (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs(id),
    t       REAL NOT NULL,
    cycles  INTEGER NOT NULL             -- all workloads' cycles so far in the run
);
CREATE INDEX ticks_run_t ON ticks(run_id, t);

CREATE TABLE samples (
    metric_id INTEGER NOT NULL REFERENCES metrics(id),
    tick_id   INTEGER NOT NULL REFERENCES ticks(id),
    value     REAL NOT NULL,
    PRIMARY KEY (metric_id, tick_id)
) WITHOUT ROWID;

CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER REFERENCES runs(id),
    t        REAL NOT NULL,
    severity TEXT NOT NULL,              -- err, warning, notice, info
    source   TEXT NOT NULL,              -- daemon, sampler, workload NAME
    kind     TEXT NOT NULL,              -- worker-exit, source-unavailable, ...
    message  TEXT NOT NULL
);
CREATE INDEX events_run_t ON events(run_id, t);

-- Least-squares growth of every metric in every run, against time and
-- against workload cycles: a leak is a metric whose floor keeps rising
-- with the work done. x is centred per run so the sums keep precision.
CREATE VIEW leak_trends AS
WITH pts AS (
    SELECT k.run_id, s.metric_id, k.t, k.t - r.started AS x,
           CAST(k.cycles AS REAL) AS c, s.value AS y
    FROM samples s
    JOIN ticks k ON k.id = s.tick_id
    JOIN runs r ON r.id = k.run_id
),
agg AS (
    SELECT run_id, metric_id, COUNT(*) AS n, MIN(t) AS t_first, MAX(t) AS t_last,
           AVG(x) AS mx, AVG(c) AS mc, AVG(y) AS my,
           AVG(x * x) AS mxx, AVG(x * y) AS mxy, AVG(c * c) AS mcc, AVG(c * y) AS mcy
    FROM pts GROUP BY run_id, metric_id
)
SELECT a.run_id,
       m.name AS metric,
       a.n AS samples,
       ROUND(a.t_last - a.t_first, 1) AS span_s,
       (SELECT s.value FROM samples s JOIN ticks k ON k.id = s.tick_id
         WHERE s.metric_id = a.metric_id AND k.run_id = a.run_id
         ORDER BY k.t LIMIT 1) AS first_value,
       (SELECT s.value FROM samples s JOIN ticks k ON k.id = s.tick_id
         WHERE s.metric_id = a.metric_id AND k.run_id = a.run_id
         ORDER BY k.t DESC LIMIT 1) AS last_value,
       ROUND(CASE WHEN a.mxx - a.mx * a.mx > 1e-9
                  THEN (a.mxy - a.mx * a.my) / (a.mxx - a.mx * a.mx) * 3600 END, 3)
           AS slope_per_hour,
       ROUND(CASE WHEN a.mcc - a.mc * a.mc > 1e-9
                  THEN (a.mcy - a.mc * a.my) / (a.mcc - a.mc * a.mc) * 1000 END, 3)
           AS slope_per_kcycle
FROM agg a JOIN metrics m ON m.id = a.metric_id
ORDER BY a.run_id, m.name;
