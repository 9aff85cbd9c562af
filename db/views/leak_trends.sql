-- The verdict on every run and metric; the method: db/TRENDS.md.
-- Computed in one statement so the floors are worked out once:
--  cw:   every candidate window of every metric (tumbling, aligned on the
--        run's first sample): its minimum, maximum, first time and cycles;
--  cf:   the floor f: the median of the window's minimum and its two
--        neighbours' (one window emptied by a display-server restart does
--        not pull it down; the middle of three points of a line is the
--        line), paired with the cycles of the window's first sample, where
--        a rising floor has its minimum; the last window's floor is not
--        its minimum when that window is a dip (the run ended in a restart);
--  swr:  the "counter that only grows" shortcut needs the floors to drift
--        (mean step at least half the mean absolute step), not to toggle;
--  ch:   the window of each metric: the shortest whose floors no longer
--        follow the sawtooth: their mean second difference, or their
--        spread around their line, is at most window_swing_max of the mean
--        swing inside a window (any window when that swing is no more than
--        the floor's step from window to window: no sawtooth seen); the
--        smallest ratio by a window function (one reference to swr);
--  st:   least-squares fit of the floors (slope, its standard error, r2,
--        each half), and the one-sided confidence that the slope is above
--        the threshold (Student's t on n - 2 degrees of freedom, through
--        Wallace's normal approximation and a logistic normal CDF);
--  ts/mk: the Theil-Sen slope (of at most 32 evenly spread floors) and
--        Mann-Kendall on the floors less the threshold's line, from one
--        pass over the pairs: stable also when its one-sided confidence
--        reaches trend_settings.confidence;
--  pd*:  the period test for what the floors leave undecided;
--  v0/v: the floors' verdict, then the period test's;
--  at0/at, pz..pa: the workload whose own cycles the floors fit best,
--        then the probe in runs with pauses;
--  hx/ho: the holder, from the split metrics of trend_holders, in one
--        pass over v.
-- Each CTE is referenced by as few others as it can be: SQLite copies and
-- resolves a CTE's whole tree (trend_runs and trend_base included) at every
-- path that reaches it, so preparing the statement costs the number of
-- paths. Verdicts are filtered where they are used, not where the
-- attribution and the period test are worked out (0.06 s to prepare,
-- against 0.47 s when those read v and cv).
CREATE VIEW leak_trends AS
WITH tr AS MATERIALIZED (SELECT * FROM trend_runs),
set_ AS MATERIALIZED (SELECT
        (SELECT value FROM trend_settings WHERE key = 'confidence') AS conf,
        (SELECT value FROM trend_settings WHERE key = 'window_swing_max') AS swing_max,
        (SELECT value FROM trend_settings WHERE key = 'attribution_rss_ratio') AS rss_ratio,
        (SELECT value FROM trend_settings WHERE key = 'holder_share') AS share),
b AS MATERIALIZED (SELECT * FROM trend_base),
th AS MATERIALIZED (SELECT * FROM metric_thresholds),
pm AS MATERIALIZED (
    SELECT run_id, metric_id, COUNT(*) AS points, SUM(cnt) AS samples, MIN(t) AS t_first,
           MAX(t) AS t_last, MAX(hi) AS vmax
    FROM b GROUP BY run_id, metric_id
),
cand AS (SELECT tr.run_id, ws.k, ws.k * tr.step AS w FROM tr, trend_window_steps ws
         WHERE (ws.k >= 2 AND ws.k * tr.step * 4 <= tr.span + 1e-6)
            OR (ws.k = 1 AND 2 * tr.step * 4 > tr.span + 1e-6)),
cw AS MATERIALIZED (
    SELECT b.run_id, b.metric_id, cand.k, cand.w, CAST((b.t - tr.t_first) / cand.w AS INTEGER) AS i,
           MIN(b.lo) AS vmin, MAX(b.hi) AS vmax, AVG(b.mid) AS vmean, MIN(b.t) AS t0, MIN(b.c) AS c0,
           COUNT(*) AS n
    FROM b JOIN tr ON tr.run_id = b.run_id JOIN cand ON cand.run_id = b.run_id
    GROUP BY b.run_id, b.metric_id, cand.k, i
),
cf AS MATERIALIZED (
    SELECT x.run_id, x.metric_id, x.k, x.w, x.i, x.vmin, x.vmax, x.vmean, x.t0, x.c0,
           x.t0 - tr.started AS x, x.t0 < tr.t_mid AS h1, x.by_cycles, x.m,
           CASE WHEN x.by_cycles THEN x.c0 ELSE x.t0 - tr.started END AS u,
           CASE WHEN x.a IS NOT NULL AND x.z IS NOT NULL
                     THEN max(min(x.a, x.vmin), min(max(x.a, x.vmin), x.z))
                -- the last window, which has one neighbour: its minimum is
                -- a dip (the run ended in a restart), not the floor, when
                -- the window swings more than twice as far as the two before
                -- and its minimum lies below the line through the two floors
                -- before (f1, f2) by more than their larger swing (a steep
                -- leak raises the windows alike; one window may hold a
                -- single point and swing 0); then the lower of f1 and that
                -- line. (The first window's minimum stands: the run starts
                -- there, and so do the workloads' cycles.)
                WHEN x.z IS NULL AND x.n3 IS NOT NULL AND x.vmax - x.vmin > 2 * x.swing1
                     AND x.vmin < 2 * x.f1 - x.f2 - x.swing1
                     THEN min(x.f1, 2 * x.f1 - x.f2)
                ELSE x.vmin END AS f
    FROM (SELECT y.*, max(min(y.vmin, y.a), min(max(y.vmin, y.a), y.n2)) AS f1,
                 max(min(y.a, y.n2), min(max(y.a, y.n2), y.n3)) AS f2
          FROM (SELECT cw.*, LAG(vmin) OVER win AS a, LEAD(vmin) OVER win AS z,
                       -- the three minima before, and the larger swing of the
                       -- two windows before (for the last window)
                       LAG(vmin, 2) OVER win AS n2, LAG(vmin, 3) OVER win AS n3,
                       max(LAG(vmax) OVER win - LAG(vmin) OVER win,
                           LAG(vmax, 2) OVER win - LAG(vmin, 2) OVER win) AS swing1,
                       -- the daemon's own metrics grow with its rounds, not with
                       -- the work: judged per hour
                       t.by_cycles AND COALESCE(th.scope, 'kernel') = 'kernel' AS by_cycles,
                       -- the threshold per unit of the verdict's axis u
                       CASE WHEN t.by_cycles AND COALESCE(th.scope, 'kernel') = 'kernel'
                            THEN th.min_per_kcycle / 1000 ELSE th.min_per_hour / 3600 END AS m
                FROM cw JOIN tr t ON t.run_id = cw.run_id LEFT JOIN th ON th.metric_id = cw.metric_id
                WHERE n >= 0.5 * k
                WINDOW win AS (PARTITION BY cw.run_id, cw.metric_id, k ORDER BY i)) y) x
    JOIN tr ON tr.run_id = x.run_id
),
sw AS (
    -- d2: the floor's second difference, near 0 on a line or a smooth
    -- curve, as large as the swing where the floors follow a sawtooth
    SELECT run_id, metric_id, k, COUNT(*) AS nw, AVG(abs(d2)) AS rough, AVG(vmax - vmin) AS swing,
           AVG(u) AS mu, AVG(u * u) AS muu, AVG(f) AS mf, AVG(f * f) AS mff, AVG(u * f) AS muf,
           AVG(abs(d1)) AS step, abs(AVG(d1)) AS drift
    FROM (SELECT run_id, metric_id, k, vmin, vmax, u, f, LEAD(f) OVER o - f AS d1,
                 LAG(f) OVER o + LEAD(f) OVER o - 2 * f AS d2
          FROM cf WINDOW o AS (PARTITION BY run_id, metric_id, k ORDER BY i))
    GROUP BY run_id, metric_id, k
),
swr AS (
    -- the smaller of: the mean |d2|, and the floors' spread around their
    -- line (which one-off dips that d2 sees twice barely move), over the swing
    SELECT run_id, metric_id, k,
           CASE WHEN swing <= 0 OR rough IS NULL THEN 0
                -- the swing inside a window is no more than the floor's step
                -- to the next: no sawtooth to outlast (a counter that only grows)
                -- (floors that only toggle, as clients that come and go with
                -- each server, have steps but no drift: not that)
                WHEN swing <= 1.1 * step AND drift >= 0.5 * step THEN 0
                ELSE min(rough,
                         CASE WHEN muu - mu * mu <= 1e-9 THEN sqrt(max(mff - mf * mf, 0))
                              ELSE sqrt(max(0, (mff - mf * mf) - (muf - mu * mf) * (muf - mu * mf) / (muu - mu * mu)))
                         END) / swing END AS ratio
    FROM sw WHERE nw >= 4
),
ch AS MATERIALIZED (
    -- when no window is that smooth (a step, a sawtooth slower than any
    -- window that fits the run), the shortest of the smoothest ones
    SELECT run_id, metric_id, MIN(k) AS k
    FROM (SELECT *, MIN(ratio) OVER (PARTITION BY run_id, metric_id) AS best FROM swr)
    WHERE ratio <= max((SELECT swing_max FROM set_), 1.5 * best)
    GROUP BY run_id, metric_id
),
fl AS MATERIALIZED (
    SELECT cf.*, ROW_NUMBER() OVER (PARTITION BY cf.run_id, cf.metric_id ORDER BY cf.i) AS rn,
           COUNT(*) OVER (PARTITION BY cf.run_id, cf.metric_id) AS nw
    FROM cf JOIN ch ON ch.run_id = cf.run_id AND ch.metric_id = cf.metric_id AND ch.k = cf.k
),
agg AS (
    SELECT run_id, metric_id, by_cycles, k, w, COUNT(*) AS windows,
           AVG(x) AS mx, AVG(x * x) AS mxx, AVG(x * f) AS mxf,
           AVG(c0) AS mc, AVG(c0 * c0) AS mcc, AVG(c0 * f) AS mcf,
           AVG(f) AS mf, AVG(f * f) AS mff,
           AVG(u) AS mu, AVG(u * u) AS muu, AVG(u * f) AS muf,
           AVG(x * vmean) AS mxy, AVG(c0 * vmean) AS mcy, AVG(vmean) AS my,
           SUM(h1) AS n1, SUM(h1 * u) AS su1, SUM(h1 * u * u) AS suu1, SUM(h1 * u * f) AS suf1,
           SUM(h1 * f) AS sf1,
           SUM(1 - h1) AS n2, SUM((1 - h1) * u) AS su2, SUM((1 - h1) * u * u) AS suu2,
           SUM((1 - h1) * u * f) AS suf2, SUM((1 - h1) * f) AS sf2
    FROM fl GROUP BY run_id, metric_id
),
fit AS (
    SELECT *,
       CASE WHEN mxx - mx * mx > 1e-9 THEN (mxf - mx * mf) / (mxx - mx * mx) * 3600 END AS floor_per_hour,
       CASE WHEN mcc - mc * mc > 1e-9 THEN (mcf - mc * mf) / (mcc - mc * mc) * 1000 END AS floor_per_kcycle,
       CASE WHEN mxx - mx * mx > 1e-9 THEN (mxy - mx * my) / (mxx - mx * mx) * 3600 END AS mean_per_hour,
       CASE WHEN mcc - mc * mc > 1e-9 THEN (mcy - mc * my) / (mcc - mc * mc) * 1000 END AS mean_per_kcycle,
       CASE WHEN muu - mu * mu > 1e-9 THEN (muf - mu * mf) / (muu - mu * mu) END AS bu,
       CASE WHEN muu - mu * mu > 1e-9 AND mff - mf * mf > 1e-9
            THEN (muf - mu * mf) * (muf - mu * mf) / ((muu - mu * mu) * (mff - mf * mf))
            WHEN muu - mu * mu > 1e-9 THEN 0 END AS r2,
       CASE WHEN n1 >= 2 AND n1 * suu1 - su1 * su1 > 1e-9
            THEN (n1 * suf1 - su1 * sf1) / (n1 * suu1 - su1 * su1) END AS u_slope1,
       CASE WHEN n2 >= 2 AND n2 * suu2 - su2 * su2 > 1e-9
            THEN (n2 * suf2 - su2 * sf2) / (n2 * suu2 - su2 * su2) END AS u_slope2,
       CASE WHEN by_cycles THEN 1000 ELSE 3600 END AS unit
    FROM agg
),
st AS (
    SELECT f.*, th.assess, th.min_windows, th.min_span_s, th.min_r2, th.min_half_ratio, th.scope,
           th.bound_setting,
           (CASE WHEN f.by_cycles THEN th.min_per_kcycle ELSE th.min_per_hour END) / f.unit AS m,
           -- the slope's standard error, from the residuals on n - 2 degrees of freedom
           CASE WHEN f.windows > 2 AND f.muu - f.mu * f.mu > 1e-9
                THEN sqrt(max(0, (f.mff - f.mf * f.mf) - (f.muf - f.mu * f.mf) * (f.muf - f.mu * f.mf)
                                  / (f.muu - f.mu * f.mu)) / (f.windows - 2) / (f.muu - f.mu * f.mu))
           END AS se
    FROM fit f LEFT JOIN th ON th.metric_id = f.metric_id
),
zt AS (
    SELECT *, windows - 2 AS df,
           CASE WHEN se IS NULL OR bu IS NULL THEN NULL
                WHEN se <= 1e-12 * max(abs(bu), abs(m), 1e-12)
                     THEN CASE WHEN bu > m THEN 1e9 WHEN bu < m THEN -1e9 ELSE 0 END
                ELSE (bu - m) / se END AS t
    FROM st
),
zz AS (
    SELECT *, CASE WHEN t IS NULL THEN NULL
                   ELSE max(-8, min(8, (CASE WHEN t < 0 THEN -1 ELSE 1 END) * (8.0 * df + 1) / (8.0 * df + 3)
                                       * sqrt(df * ln(1 + min(t * t, 1e12) / df)))) END AS z
    FROM zt
),
cv AS (SELECT *, 1 / (1 + exp(-1.5976 * z - 0.07056 * z * z * z)) AS p_up FROM zz),
g AS (
    -- Each series' points as one JSON array, so pairs are formed within a
    -- series without a join over all of them: [u, floor, floor for mk].
    -- For mk an edge floor is read through Tukey's end-point rule, the
    -- median of it, its neighbour, and the line through the two next to
    -- it (3 f1 - 2 f2): an edge window has one neighbour, so the median of
    -- three does not guard it. The run's first state (before a display
    -- server's first start, before the first cycle's caches) is a one-time
    -- step, and a last window that missed every dip of a toggling count
    -- stands a step high; either pairs up with every other floor.
    SELECT run_id, metric_id, json_group_array(json_array(u, f, fe)) AS pts, COUNT(*) AS n, MAX(m) AS m
    FROM (SELECT run_id, metric_id, u, f, m,
                 CASE WHEN nw < 3 THEN f
                      WHEN rn = 1 THEN max(min(f, f1), min(max(f, f1), 3 * f1 - 2 * f2))
                      WHEN rn = nw THEN max(min(f, b1), min(max(f, b1), 3 * b1 - 2 * b2))
                      ELSE f END AS fe
          FROM (SELECT *, LEAD(f) OVER o AS f1, LEAD(f, 2) OVER o AS f2, LAG(f) OVER o AS b1,
                       LAG(f, 2) OVER o AS b2
                FROM fl WINDOW o AS (PARTITION BY run_id, metric_id ORDER BY i))
          WHERE (rn - 1) % (nw / 32 + 1) = 0
          ORDER BY run_id, metric_id, i)
    GROUP BY run_id, metric_id
),
pairs AS (
    SELECT g.run_id, g.metric_id, g.n, g.m,
           (json_extract(q.value, '$[1]') - json_extract(p.value, '$[1]')) /
           (json_extract(q.value, '$[0]') - json_extract(p.value, '$[0]')) AS s,
           (json_extract(q.value, '$[2]') - json_extract(p.value, '$[2]')) /
           (json_extract(q.value, '$[0]') - json_extract(p.value, '$[0]')) AS se
    FROM g, json_each(g.pts) p, json_each(g.pts) q
    WHERE q.key > p.key AND json_extract(q.value, '$[0]') > json_extract(p.value, '$[0]')
),
-- ts: the median of the pairs' slopes, the middle one or the mean of the
-- middle two; mk: Mann-Kendall on the floors less the threshold's line,
-- S the pairs whose slope is above the threshold less those below it,
-- without the ties' correction of its variance (which only widens it), on
-- the floors and on those with the edges read through the end-point rule:
-- the more confident of the two (so `stable` is wrong at most twice as
-- often as by one test).
ts AS MATERIALIZED (
    SELECT run_id, metric_id, AVG(CASE WHEN r IN ((np + 1) / 2, (np + 2) / 2) THEN s END) AS u_slope,
           SUM(CASE WHEN s > m THEN 1 WHEN s < m THEN -1 ELSE 0 END) AS s_all,
           SUM(CASE WHEN se > m THEN 1 WHEN se < m THEN -1 ELSE 0 END) AS s_edge, MAX(n) AS n
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY run_id, metric_id ORDER BY s) AS r,
                 COUNT(*) OVER (PARTITION BY run_id, metric_id) AS np
          FROM pairs)
    GROUP BY run_id, metric_id
),
mk AS (
    -- the one-sided confidence that the floors rise slower than the
    -- threshold: S's normal approximation on n floors
    SELECT run_id, metric_id, u_slope,
           CASE WHEN n >= 4 THEN max(1 / (1 + exp(-1.5976 * za - 0.07056 * za * za * za)),
                                     1 / (1 + exp(-1.5976 * ze - 0.07056 * ze * ze * ze))) END AS p_below
    FROM (SELECT *, max(-8, min(8, (-s_all - 1) / sqrt(n * (n - 1) * (2 * n + 5) / 18.0))) AS za,
                 max(-8, min(8, (-s_edge - 1) / sqrt(n * (n - 1) * (2 * n + 5) / 18.0))) AS ze
          FROM ts)
),
v0 AS MATERIALIZED (
    SELECT cv.*, mk.u_slope * cv.unit AS slope, mk.p_below, pm.samples, pm.t_first, pm.t_last, pm.vmax AS run_max,
           (SELECT value FROM trend_settings WHERE key = cv.bound_setting) AS bound,
           CASE WHEN NOT COALESCE(cv.assess, 1) THEN 'not-assessed'
                WHEN cv.bound_setting IS NOT NULL THEN
                     CASE WHEN pm.vmax > (SELECT value FROM trend_settings WHERE key = cv.bound_setting)
                          THEN 'over-bound' ELSE 'within-bound' END
                -- one point per window is no floor: slopes, no verdict
                WHEN cv.windows < cv.min_windows OR pm.t_last - pm.t_first < cv.min_span_s OR cv.p_up IS NULL
                     OR cv.k = 1 THEN 'insufficient-data'
                WHEN cv.p_up >= (SELECT conf FROM set_) AND COALESCE(mk.u_slope, 0) >= cv.m
                     AND COALESCE(cv.r2, 0) >= cv.min_r2
                     AND COALESCE(cv.u_slope1, 0) >= cv.min_half_ratio * cv.m
                     AND COALESCE(cv.u_slope2, 0) >= cv.min_half_ratio * cv.m
                     THEN 'leaking'
                WHEN 1 - cv.p_up >= (SELECT conf FROM set_) OR COALESCE(mk.p_below, 0) >= (SELECT conf FROM set_)
                     THEN 'stable'
                ELSE 'insufficient-data' END AS verdict0
    FROM cv JOIN pm ON pm.run_id = cv.run_id AND pm.metric_id = cv.metric_id
    LEFT JOIN mk ON mk.run_id = cv.run_id AND mk.metric_id = cv.metric_id
),
-- The period test, for what the floors leave undecided (a sawtooth slower
-- than any window that fits the run four times): the period P is the
-- median distance between the drops of more than a quarter of the run's
-- range (the fastest sawtooth's, not a display-server restart's); the
-- differences x(j + P) - x(j) cancel a sawtooth of that period, and a sign
-- test asks whether they lie above the threshold's rise over the same
-- cycles: in more than half of all pairs (p_per), and in each half.
-- (Worked out for every assessed metric without a bound, and used in v
-- for those the t test does not call stable: reading cv here would
-- expand the floors' CTEs three times more.)
pd0 AS MATERIALIZED (
    -- the points on the verdict's axis u, and the threshold m per unit of u
    SELECT x.run_id, x.metric_id, x.lo, CASE WHEN x.by_cycles THEN x.c ELSE x.s END AS u,
           CASE WHEN x.by_cycles THEN x.min_per_kcycle / 1000 ELSE x.min_per_hour / 3600 END AS m,
           ROW_NUMBER() OVER (PARTITION BY x.run_id, x.metric_id ORDER BY x.t) AS j
    FROM (SELECT b.run_id, b.metric_id, b.lo, b.c, b.t, b.t - tr.started AS s, th.min_per_kcycle, th.min_per_hour,
                 tr.by_cycles AND COALESCE(th.scope, 'kernel') = 'kernel' AS by_cycles
          FROM b JOIN tr ON tr.run_id = b.run_id LEFT JOIN th ON th.metric_id = b.metric_id
          WHERE COALESCE(th.assess, 1) AND th.bound_setting IS NULL) x
),
pdl AS (
    SELECT run_id, metric_id, j, lo - LAG(lo) OVER (PARTITION BY run_id, metric_id ORDER BY j) AS dl,
           MAX(lo) OVER (PARTITION BY run_id, metric_id) - MIN(lo) OVER (PARTITION BY run_id, metric_id) AS range_,
           COUNT(*) OVER (PARTITION BY run_id, metric_id) AS n
    FROM pd0
),
pdg AS (
    SELECT run_id, metric_id, n, j - LAG(j) OVER (PARTITION BY run_id, metric_id ORDER BY j) AS gap
    FROM pdl WHERE dl < -0.25 * range_
),
pdr AS (
    SELECT run_id, metric_id, n, gap, ROW_NUMBER() OVER (PARTITION BY run_id, metric_id ORDER BY gap) AS r,
           COUNT(*) OVER (PARTITION BY run_id, metric_id) AS ng
    FROM pdg WHERE gap IS NOT NULL
),
pdp AS MATERIALIZED (SELECT run_id, metric_id, n, gap AS p FROM pdr WHERE r = (ng + 1) / 2),
pde AS (
    SELECT x.run_id, x.metric_id, 2 * p.j < x.n - x.p AS h1,
           CASE WHEN (q.lo - p.lo) > p.m * (q.u - p.u) THEN 1
                WHEN (q.lo - p.lo) < p.m * (q.u - p.u) THEN -1 ELSE 0 END AS sg
    FROM pdp x JOIN pd0 p ON p.run_id = x.run_id AND p.metric_id = x.metric_id
    JOIN pd0 q ON q.run_id = p.run_id AND q.metric_id = p.metric_id AND q.j = p.j + x.p
    WHERE x.p >= 2 AND x.n >= 3 * x.p AND q.u > p.u
),
pds AS (
    SELECT run_id, metric_id, COUNT(*) AS nd, SUM(sg) AS s, SUM(h1 * sg) AS s1, SUM((1 - h1) * sg) AS s2
    FROM pde GROUP BY run_id, metric_id
),
pdv AS (
    SELECT run_id, metric_id, s1, s2, 1 / (1 + exp(-1.5976 * z - 0.07056 * z * z * z)) AS p_per
    FROM (SELECT *, max(-8, min(8, (s - 1) / sqrt(nd))) AS z FROM pds)
),
v AS MATERIALIZED (
    SELECT v0.*, pdv.p_per,
           CASE WHEN v0.verdict0 = 'insufficient-data' AND v0.windows >= v0.min_windows AND v0.k > 1
                     AND v0.t_last - v0.t_first >= v0.min_span_s AND 1 - v0.p_up < (SELECT conf FROM set_)
                     AND pdv.p_per >= (SELECT conf FROM set_)
                     AND pdv.s1 > 0 AND pdv.s2 > 0 THEN 'leaking' ELSE v0.verdict0 END AS verdict
    FROM v0 LEFT JOIN pdv ON pdv.run_id = v0.run_id AND pdv.metric_id = v0.metric_id
),
-- Attribution to a workload: the floors against each workload's own
-- cycles at the same windows (its workload.NAME.cycles metric).
wm AS MATERIALIZED (SELECT id AS metric_id, substr(name, 10, length(name) - 16) AS workload
                    FROM metrics WHERE name GLOB 'workload.?*.cycles'),
wa AS (
    SELECT fl.run_id, fl.metric_id, wm.workload, COUNT(*) AS n, AVG(cw.vmin) AS mx,
           AVG(cw.vmin * cw.vmin) AS mxx, AVG(fl.f) AS mf, AVG(fl.f * fl.f) AS mff, AVG(cw.vmin * fl.f) AS mxf
    FROM fl JOIN cw ON cw.run_id = fl.run_id AND cw.k = fl.k AND cw.i = fl.i
    JOIN wm ON wm.metric_id = cw.metric_id
    GROUP BY fl.run_id, fl.metric_id, wm.workload
),
wr AS (
    SELECT *, (mxf - mx * mf) / (mxx - mx * mx) AS slope,
           max(0, n * ((mff - mf * mf) - (mxf - mx * mf) * (mxf - mx * mf) / (mxx - mx * mx))) AS rss
    FROM wa WHERE mxx - mx * mx > 1e-9
),
wk AS (
    SELECT *, ROW_NUMBER() OVER o AS r, COUNT(*) OVER (PARTITION BY run_id, metric_id) AS nwl,
           LEAD(rss) OVER o AS rss2
    FROM wr WINDOW o AS (PARTITION BY run_id, metric_id ORDER BY rss, workload)
),
at0 AS (
    SELECT run_id, metric_id, slope,
           CASE WHEN slope <= 0 THEN NULL
                WHEN nwl = 1 THEN 'only-workload'
                WHEN rss2 >= (SELECT rss_ratio FROM set_) * rss + 0.25 * n THEN 'regression'
                ELSE 'ambiguous' END AS method, workload
    FROM wk WHERE r = 1
),
-- The probe, in runs where it paused workloads: each leaking metric's
-- growth rate (per second, pooled within each stretch) while one workload
-- was paused, against the rate outside all pauses. The pauses themselves
-- make the workloads' cycles differ, so the regression may separate them
-- too; the probe is the experiment and names the workload when it agrees
-- with the regression or the regression is ambiguous. Runs without pauses
-- skip all of it.
amb AS MATERIALIZED (SELECT run_id, metric_id FROM at0 WHERE method IN ('ambiguous', 'regression')
                     AND run_id IN (SELECT run_id FROM probe_pauses)
                     AND (run_id, metric_id) IN (SELECT run_id, metric_id FROM v WHERE verdict = 'leaking')),
pz AS MATERIALIZED (
    SELECT p.run_id, p.workload, p.t_start - tr.t_first AS s0, COALESCE(p.t_end, tr.t_last) - tr.t_first AS s1
    FROM probe_pauses p JOIN tr ON tr.run_id = p.run_id
),
pt AS (
    -- each point in the pause it falls in (workload, start), or outside
    -- all pauses after the last pause that ended before it
    SELECT x.run_id, x.metric_id, x.s, x.lo, z.workload, COALESCE(z.s0, x.after) AS grp
    FROM (SELECT b.run_id, b.metric_id, b.t - tr.t_first AS s, b.lo,
                 (SELECT MAX(s1) FROM pz WHERE pz.run_id = b.run_id AND pz.s1 < b.t - tr.t_first) AS after
          FROM b JOIN tr ON tr.run_id = b.run_id
          WHERE (b.run_id, b.metric_id) IN (SELECT run_id, metric_id FROM amb)) x
    LEFT JOIN pz z ON z.run_id = x.run_id AND x.s BETWEEN z.s0 AND z.s1
),
pg AS (
    SELECT run_id, metric_id, workload, grp, COUNT(*) AS n,
           COUNT(*) * (AVG(s * lo) - AVG(s) * AVG(lo)) AS sxy, COUNT(*) * (AVG(s * s) - AVG(s) * AVG(s)) AS sxx
    FROM pt GROUP BY run_id, metric_id, workload, grp
),
pr AS (
    SELECT run_id, metric_id, workload, SUM(sxy) / SUM(sxx) AS rate
    FROM pg WHERE n >= 2 GROUP BY run_id, metric_id, workload HAVING SUM(sxx) > 1e-9
),
pw AS (
    -- stops: the growth stops during this workload's pauses while it
    -- goes on outside them (the threshold per hour, per second here):
    -- below the threshold or a quarter of the rate outside, for the rate
    -- of a few points in a pause carries the other workloads' swing
    SELECT i.run_id, i.metric_id, i.workload,
           i.rate < max(th.min_per_hour / 3600, 0.25 * o.rate) AND o.rate >= th.min_per_hour / 3600 AS stops
    FROM pr i JOIN pr o ON o.run_id = i.run_id AND o.metric_id = i.metric_id AND o.workload IS NULL
    JOIN th ON th.metric_id = i.metric_id
    WHERE i.workload IS NOT NULL
),
pa AS (
    -- named only when the pauses of one workload stop it and those of
    -- (at least one) other workload do not
    SELECT run_id, metric_id, MAX(CASE WHEN stops THEN workload END) AS workload
    FROM pw GROUP BY run_id, metric_id HAVING SUM(stops) = 1 AND COUNT(*) >= 2
),
at AS (
    SELECT a.run_id, a.metric_id,
           CASE WHEN pa.workload IS NOT NULL THEN wr.slope ELSE a.slope END AS slope,
           CASE WHEN pa.workload IS NULL THEN a.method
                WHEN a.method = 'ambiguous' OR a.workload = pa.workload THEN 'probe'
                ELSE 'ambiguous' END AS method,
           COALESCE(pa.workload, a.workload) AS workload
    FROM at0 a LEFT JOIN pa ON pa.run_id = a.run_id AND pa.metric_id = a.metric_id
    LEFT JOIN wr ON wr.run_id = pa.run_id AND wr.metric_id = pa.metric_id AND wr.workload = pa.workload
),
-- Attribution to a holder: how much of the floor's growth the split
-- metrics (held by a process / by no process) explain.
hx AS (
    -- per run and split metric: its slope and its two parts' (one row
    -- of v may be the metric and a part at once)
    SELECT v.run_id, h.metric,
           MAX(CASE WHEN m.name = h.metric AND v.verdict = 'leaking' THEN v.metric_id END) AS metric_id,
           MAX(CASE WHEN m.name = h.metric THEN v.bu END) AS bu,
           MAX(CASE WHEN m.name = h.kernel_metric THEN v.bu END) AS kbu,
           MAX(CASE WHEN m.name = h.process_metric THEN v.bu END) AS pbu
    FROM v JOIN metrics m ON m.id = v.metric_id
    JOIN trend_holders h ON m.name IN (h.metric, h.kernel_metric, h.process_metric)
    GROUP BY v.run_id, h.metric
),
ho AS (
    SELECT x.run_id, x.metric_id,
           CASE WHEN x.bu IS NULL OR x.bu <= 0 THEN NULL
                WHEN COALESCE(x.kbu, 0) >= s.share * x.bu AND COALESCE(x.pbu, 0) < (1 - s.share) * x.bu
                     THEN 'kernel'
                WHEN COALESCE(x.pbu, 0) >= s.share * x.bu AND COALESCE(x.kbu, 0) < (1 - s.share) * x.bu
                     THEN 'process'
                WHEN COALESCE(x.kbu, 0) >= 0.5 * (1 - s.share) * x.bu
                     AND COALESCE(x.pbu, 0) >= 0.5 * (1 - s.share) * x.bu THEN 'mixed' END AS holder
    FROM hx x JOIN set_ s WHERE x.metric_id IS NOT NULL
)
SELECT pm.run_id,
       m.name AS metric,
       pm.samples,
       ROUND(pm.t_last - pm.t_first, 1) AS span_s,
       (SELECT first FROM rollups w WHERE w.run_id = pm.run_id AND w.width = 60
         AND w.metric_id = pm.metric_id ORDER BY bucket LIMIT 1) AS first_value,
       (SELECT last FROM rollups w WHERE w.run_id = pm.run_id AND w.width = 60
         AND w.metric_id = pm.metric_id ORDER BY bucket DESC LIMIT 1) AS last_value,
       ROUND(v.floor_per_hour, 3) AS slope_per_hour,
       ROUND(v.floor_per_kcycle, 3) AS slope_per_kcycle,
       ROUND(v.mean_per_hour, 3) AS mean_per_hour,
       ROUND(v.mean_per_kcycle, 3) AS mean_per_kcycle,
       ROUND(v.slope, 3) AS robust_slope,
       CASE WHEN COALESCE(v.by_cycles, tr.by_cycles) THEN 'kcycle' ELSE 'hour' END AS per,
       COALESCE(v.windows, 0) AS windows,
       ROUND(v.w, 1) AS window_s,
       ROUND(v.r2, 3) AS r2,
       ROUND(v.u_slope1 * v.unit, 3) AS half1_slope,
       ROUND(v.u_slope2 * v.unit, 3) AS half2_slope,
       CASE WHEN v.verdict IS NOT NULL THEN v.verdict
            WHEN NOT COALESCE(th.assess, 1) THEN 'not-assessed'
            WHEN th.bound_setting IS NOT NULL THEN
                 CASE WHEN pm.vmax > (SELECT value FROM trend_settings WHERE key = th.bound_setting)
                      THEN 'over-bound' ELSE 'within-bound' END
            ELSE 'insufficient-data' END AS verdict,
       CASE WHEN at.method IN ('only-workload', 'regression', 'probe') THEN at.workload END AS workload,
       CASE WHEN at.method IN ('only-workload', 'regression', 'probe') THEN ROUND(at.slope * 1000, 3) END
           AS slope_per_kcycle_workload,
       ho.holder,
       ROUND(CASE WHEN v.verdict = 'leaking' AND v.verdict0 <> 'leaking' THEN v.p_per
                  WHEN v.verdict = 'leaking' THEN v.p_up
                  WHEN v.verdict = 'stable' THEN max(1 - v.p_up, COALESCE(v.p_below, 0))
                  WHEN v.verdict = 'insufficient-data' THEN max(v.p_up, 1 - v.p_up) END, 4) AS confidence,
       at.method AS attribution,
       COALESCE(th.scope, 'kernel') AS scope,
       ROUND(v.m * v.unit, 3) AS threshold,
       (SELECT value FROM trend_settings WHERE key = th.bound_setting) AS bound,
       pm.vmax AS max_value
FROM pm JOIN metrics m ON m.id = pm.metric_id
JOIN tr ON tr.run_id = pm.run_id
LEFT JOIN th ON th.metric_id = pm.metric_id
LEFT JOIN v ON v.run_id = pm.run_id AND v.metric_id = pm.metric_id
LEFT JOIN at ON at.run_id = pm.run_id AND at.metric_id = pm.metric_id AND v.verdict = 'leaking'
LEFT JOIN ho ON ho.run_id = pm.run_id AND ho.metric_id = pm.metric_id
ORDER BY pm.run_id, m.name;
