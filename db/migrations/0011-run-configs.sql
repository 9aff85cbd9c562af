-- gemsoak database, schema 0011: every config a run ran with. A reload
-- (SIGHUP) can change what runs without ending the run: runs.config_text
-- is the config in force now, run_configs each version from the moment
-- it applied (the run's start, then each reload that changed the files).
CREATE TABLE run_configs (
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    t           REAL NOT NULL,
    config_text TEXT NOT NULL
);
CREATE INDEX run_configs_run_t ON run_configs(run_id, t);
-- The runs recorded before: their one known config, from their start.
INSERT INTO run_configs(run_id, t, config_text) SELECT id, started, config_text FROM runs;
