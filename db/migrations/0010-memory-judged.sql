-- gemsoak database, schema 0010: memory metrics judged for what they are.
-- mem.slab_kb includes SReclaimable (dentries, inodes, caches a clean kernel
-- keeps until memory is needed, which grow through a run's warm-up and with
-- any file activity): recorded, not assessed; its unreclaimable part,
-- mem.sunreclaim_kb, is judged (the '*_kb' row). Of the slab caches
-- sources/slabinfo.c reads by name, inode_cache is reclaimable too
-- (dma-buf's inodes among every pseudo filesystem's): recorded, not
-- assessed; shmem_inode_cache (each GEM object's backing file) and filp
-- (every open file) are judged (the '*' row).
INSERT OR REPLACE INTO trend_thresholds(pattern, assess, min_windows, min_span_s, min_per_kcycle,
                                        min_per_hour, min_r2, min_half_ratio, scope, bound_setting) VALUES
    ('mem.slab_kb',      0, 4, 60, 0, 0, 0, 0, 'kernel', NULL),
    ('slab.inode_cache', 0, 4, 60, 0, 0, 0, 0, 'kernel', NULL);
