-- The floor windows the rollups trigger (samples_rollup, schema 0004) keeps:
-- a minute, an hour, 6 hours, and trend_settings.window_s.
-- UNION ALL: no temporary table for every sample the trigger handles.
CREATE VIEW rollup_widths AS
    SELECT 60 AS width UNION ALL SELECT 3600 UNION ALL SELECT 21600
    UNION ALL SELECT CAST(value AS INTEGER) FROM trend_settings
        WHERE key = 'window_s' AND value >= 1 AND CAST(value AS INTEGER) NOT IN (60, 3600, 21600);
