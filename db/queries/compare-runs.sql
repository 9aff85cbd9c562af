-- The two newest runs side by side (e.g. before and after a kernel fix).
-- For other runs: sqlite3 DB '.parameter set :a 3' '.parameter set :b 5' '.read db/queries/compare-runs.sql'
.headers on
.mode column
WITH pick AS (
    SELECT COALESCE(:a, (SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET 1)) AS a,
           COALESCE(:b, (SELECT MAX(id) FROM runs)) AS b
),
m AS (SELECT DISTINCT metric FROM leak_trends, pick WHERE run_id IN (pick.a, pick.b))
SELECT m.metric, pick.a AS run_a, ta.verdict AS verdict_a, ta.robust_slope AS slope_a,
       pick.b AS run_b, tb.verdict AS verdict_b, tb.robust_slope AS slope_b,
       CASE WHEN ta.verdict = 'leaking' AND tb.verdict = 'leaking' THEN 'still leaking'
            WHEN ta.verdict = 'leaking' AND tb.verdict = 'stable' THEN 'fixed'
            WHEN tb.verdict = 'leaking' AND COALESCE(ta.verdict, '') <> 'leaking' THEN 'new leak'
            ELSE '' END AS change
FROM m, pick
LEFT JOIN leak_trends ta ON ta.run_id = pick.a AND ta.metric = m.metric
LEFT JOIN leak_trends tb ON tb.run_id = pick.b AND tb.metric = m.metric
ORDER BY change = '', m.metric;
