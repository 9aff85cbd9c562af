-- gemsoak database, schema 0008: the GEM memory on the DRM files of live
-- processes, per DRM client (sources/fdinfo.c: fdinfo's drm-total-*,
-- kernels 6.5+), as the process part of the holder split. What is on a
-- file has a handle: a process holds it. The method: db/TRENDS.md.
INSERT OR REPLACE INTO trend_holders VALUES
    ('gem.client_bytes',             '',                       'gem.client_bytes'),
    ('gem.client_bytes_by_workload', '',                       'gem.client_bytes_by_workload'),
    ('gem.client_bytes_by_other',    '',                       'gem.client_bytes_by_other'),
    ('drm.fdinfo_total_bytes',       '',                       'drm.fdinfo_total_bytes'),
    -- every object: on a file (a handle) or kept by a name without one
    ('i915.object_bytes',            'gem.names_unheld_bytes', 'gem.client_bytes');
