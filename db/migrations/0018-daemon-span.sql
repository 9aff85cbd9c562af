-- gemsoak database, schema 0018: gemsoakd's own footprint is judged from
-- 10 minutes of a run on, not 1. Its heap fills for minutes before it is
-- flat: the judgement's first minutes (+51, +25, +10 kB at the first three
-- judgements of a 2-minute run against the kernel model; +16, +11, +4 kB
-- in a 210 s run on the real kernel), SQLite's page cache and malloc's
-- chunks around it. Judged over 1 minute, that warm-up made gemsoakd
-- report itself leaking in a 2-minute demo. The bound of SQLite's memory
-- is still judged from the first minute.
UPDATE trend_thresholds SET min_span_s = 600
WHERE scope = 'daemon' AND bound_setting IS NULL AND assess = 1;
