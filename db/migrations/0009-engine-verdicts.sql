-- gemsoak database, schema 0009: the engine's verdicts (analysis/, the
-- method in db/TRENDS.md) kept in the database as they are made.
-- verdicts: the latest verdict on every run and metric, with every column
-- of leak_trends (metric by its id) and when it was made (t and cycles of
-- the run's last tick judged).
CREATE TABLE verdicts (
    run_id                    INTEGER NOT NULL REFERENCES runs(id),
    metric_id                 INTEGER NOT NULL REFERENCES metrics(id),
    t                         REAL NOT NULL,
    cycles                    INTEGER NOT NULL,
    samples                   INTEGER NOT NULL,
    span_s                    REAL NOT NULL,
    first_value               REAL,
    last_value                REAL,
    slope_per_hour            REAL,
    slope_per_kcycle          REAL,
    mean_per_hour             REAL,
    mean_per_kcycle           REAL,
    robust_slope              REAL,
    per                       TEXT NOT NULL,
    windows                   INTEGER NOT NULL,
    window_s                  REAL,
    r2                        REAL,
    half1_slope               REAL,
    half2_slope               REAL,
    verdict                   TEXT NOT NULL,
    workload                  TEXT,
    slope_per_kcycle_workload REAL,
    holder                    TEXT,
    confidence                REAL,
    attribution               TEXT,
    scope                     TEXT NOT NULL,
    threshold                 REAL,
    bound                     REAL,
    max_value                 REAL,
    PRIMARY KEY (run_id, metric_id)
) WITHOUT ROWID;

-- Every change of a verdict: when (t, cycles of the last tick judged),
-- from what (NULL: the first verdict) to what, with its confidence and
-- robust slope then.
CREATE TABLE verdict_history (
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    metric_id    INTEGER NOT NULL REFERENCES metrics(id),
    t            REAL NOT NULL,
    cycles       INTEGER NOT NULL,
    old_verdict  TEXT,
    new_verdict  TEXT NOT NULL,
    confidence   REAL,
    robust_slope REAL,
    PRIMARY KEY (run_id, metric_id, t)
) WITHOUT ROWID;
