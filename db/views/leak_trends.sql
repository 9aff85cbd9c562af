-- The verdict on every run and metric: the engine's (analysis/, the method
-- in db/TRENDS.md), as stored in verdicts by the daemon as the run goes on,
-- by gemsoak-synth, gemsoak merge, and the CLI for a run no daemon updates
-- (a read-only reader judges into a TEMP verdicts table of its own).
CREATE VIEW leak_trends AS
SELECT v.run_id, m.name AS metric, v.samples, v.span_s, v.first_value, v.last_value,
       v.slope_per_hour, v.slope_per_kcycle, v.mean_per_hour, v.mean_per_kcycle, v.robust_slope,
       v.per, v.windows, v.window_s, v.r2, v.half1_slope, v.half2_slope, v.verdict, v.workload,
       v.slope_per_kcycle_workload, v.holder, v.confidence, v.attribution, v.scope, v.threshold,
       v.bound, v.max_value
FROM verdicts v JOIN metrics m ON m.id = v.metric_id
ORDER BY v.run_id, m.name;
