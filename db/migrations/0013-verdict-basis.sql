-- gemsoak database, schema 0013: what each run's stored verdicts were
-- judged with. basis names the engine's method (GS_METHOD_VERSION,
-- analysis/analysis.h) and a digest of the database's trend_thresholds,
-- trend_settings (window_s aside), trend_window_steps and trend_holders:
-- verdicts made with another basis (an older gemsoak's, thresholds edited
-- since) are judged again by whoever reads them next (analysis/verdicts.h).
CREATE TABLE verdict_basis (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    basis  TEXT NOT NULL
);
