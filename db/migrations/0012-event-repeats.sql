-- gemsoak database, schema 0012: events folded by the prune. A kernel
-- that breaks a promise every cycle writes millions of events; past
-- `retention` the daemon keeps the first and last few of each run,
-- source, kind and hour of the run, and adds those between to the
-- repeats of the first of the last ones kept. Every count of events sums
-- repeats; a row never folded stands for itself (1).
ALTER TABLE events ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
