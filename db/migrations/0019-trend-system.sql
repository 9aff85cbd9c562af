-- gemsoak database, schema 0019: metrics of the whole machine. The
-- machine's memory (/proc/meminfo) and the kernel's slab caches by name
-- count every process and subsystem, not the DRM objects alone: on the
-- recorded clean Android mix (tests/corpus/android-mix-clean)
-- mem.sunreclaim_kb was leaking 9 times and mem.shmem_kb 10 times, with
-- every DRM metric stable. Such a metric is leaking only when a DRM metric
-- of the run leaks with it, or an intervention ties its rise to a workload
-- (the probe's pause, a late onset); otherwise it is insufficient-data
-- (analysis/run.c; the method: db/TRENDS.md, "The machine's memory").
CREATE TABLE trend_system (
    pattern TEXT PRIMARY KEY, -- a GLOB over metric names
    what    TEXT NOT NULL     -- what else moves them
) WITHOUT ROWID;
INSERT INTO trend_system VALUES
    ('mem.*',  'the machine''s memory (/proc/meminfo): every process, file system and driver'),
    ('slab.*', 'the kernel''s slab caches by name, shared by every subsystem (every open file, every shmem inode)');
