-- gemsoak database, schema 0015: a byte total judged with the count of the
-- objects it sums. Its floor is the sizes of the objects in flight at the
-- quietest moment, so it moves with the mix of sizes (the Android mix
-- holds dma-bufs of 256 KiB to 8 MiB: dmabuf.bytes' floor swung between
-- 14 and 34 MB on a clean kernel) where the count's floor does not; a
-- leak of objects raises the count too. A byte total is leaking only when
-- its count is (analysis/run.c; the method: db/TRENDS.md, "Byte totals").
CREATE TABLE trend_sizes (
    metric       TEXT PRIMARY KEY, -- the byte total
    count_metric TEXT NOT NULL     -- the count of the objects it sums
) WITHOUT ROWID;
INSERT INTO trend_sizes VALUES
    ('dmabuf.bytes',           'dmabuf.objects'),
    ('dmabuf.held_bytes',      'dmabuf.held'),
    ('dmabuf.orphaned_bytes',  'dmabuf.orphaned'),
    ('gem.flink_bytes',        'gem.flink_names'),
    ('gem.names_held_bytes',   'gem.names_held'),
    ('gem.names_unheld_bytes', 'gem.names_unheld');
