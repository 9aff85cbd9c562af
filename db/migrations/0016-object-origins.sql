-- gemsoak database, schema 0016: where the live GEM objects and dma-bufs
-- came from, traced in the kernel (sources/origins.c, bpf/origins.bpf.c).
-- Each kernel stack is stored once, as symbolized text (one frame a line,
-- the innermost first); object_origins keeps a row per run, kind,
-- workload, process name and stack each time its alive count or bytes
-- changed (a group gone gets a row of 0). The latest state: view origins.
CREATE TABLE origin_stacks (
    id    INTEGER PRIMARY KEY,
    stack TEXT NOT NULL UNIQUE
);
CREATE TABLE object_origins (
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    t           REAL NOT NULL,
    kind        TEXT NOT NULL,      -- 'dma-buf' or 'gem'
    workload    TEXT NOT NULL,      -- the workload whose process made them, else the process name
    comm        TEXT NOT NULL,      -- the making thread's name
    stack_id    INTEGER NOT NULL REFERENCES origin_stacks(id),
    alive       INTEGER NOT NULL,
    alive_bytes INTEGER NOT NULL
);
CREATE INDEX object_origins_group ON object_origins(run_id, kind, workload, comm, stack_id, t);
