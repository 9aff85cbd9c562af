-- gemsoak database, schema 0017: daemon.analysis_kb, the points of the run
-- the daemon's judgement keeps between rounds. They grow with the run's
-- rounds up to the bound of its base and fall when the base changes, by
-- design; gemsoakd counts them apart from daemon.heap_outside_sqlite_kb,
-- which must stay flat. Recorded, not assessed.
INSERT OR REPLACE INTO trend_thresholds(pattern, assess, min_windows, min_span_s, min_per_kcycle,
                                        min_per_hour, min_r2, min_half_ratio, scope, bound_setting) VALUES
    ('daemon.analysis_kb',       0, 4, 60, 0,    0,  0,   0, 'daemon', NULL);
