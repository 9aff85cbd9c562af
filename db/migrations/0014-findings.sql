-- gemsoak database, schema 0014: findings, the leaking metrics of a run
-- grouped into one finding per cause (analysis/findings.h), as of the
-- last tick judged (t). Rewritten with the verdicts: a run's rows are
-- the findings of its latest verdicts.
--  workload:    the attributed workload (NULL: none; summary says why)
--  per_kcycle:  the lead metric per 1000 of that workload's own cycles
--  per_hour:    the lead metric per hour, in unit (metrics.unit)
--  metrics:     the finding's metrics, comma-separated, the lead first
--  onset:       when its growth started (Unix time, the run's clock)
--  summary:     what it means, in one sentence; next: what to do next
CREATE TABLE findings (
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    id          INTEGER NOT NULL,
    t           REAL NOT NULL,
    workload    TEXT,
    holder      TEXT,
    per_kcycle  REAL,
    per_hour    REAL,
    unit        TEXT NOT NULL,
    lead_metric TEXT NOT NULL,
    metrics     TEXT NOT NULL,
    onset       REAL,
    confidence  REAL,
    attribution TEXT,
    summary     TEXT NOT NULL,
    next        TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;
