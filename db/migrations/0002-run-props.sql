-- gemsoak database, schema version 2: free-form facts about a run that not
-- every device or kernel has (full-PPGTT mode, workload seeds, fixes found
-- present, the i915 GPU generation, ...). One value per key and run.
CREATE TABLE run_props (
    run_id  INTEGER NOT NULL REFERENCES runs(id),
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
