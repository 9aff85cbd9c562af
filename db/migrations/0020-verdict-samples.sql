-- gemsoak database, schema 0020: how many samples the run had when its
-- verdicts were judged (the sum of its rollups' counts, which retention
-- does not lower). A sample added later for a tick already judged (an
-- INSERT by hand, a repaired import) leaves the run's last tick where it
-- was; the count tells its verdicts are stale. NULL before this schema:
-- such runs are judged again by the next reader that may write.
ALTER TABLE verdict_basis ADD COLUMN samples INTEGER;
