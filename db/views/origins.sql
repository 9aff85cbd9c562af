-- Origins: what each run's traced objects are now (its latest row per
-- kind, workload, process name and stack in object_origins), with the
-- stack as text. Groups whose objects are all gone have alive 0.
CREATE VIEW origins AS
SELECT o.run_id, o.t, o.kind, o.workload, o.comm, s.stack, o.alive, o.alive_bytes
FROM object_origins o
JOIN origin_stacks s ON s.id = o.stack_id
WHERE o.t = (SELECT max(l.t) FROM object_origins l
             WHERE l.run_id = o.run_id AND l.kind = o.kind AND l.workload = o.workload
               AND l.comm = o.comm AND l.stack_id = o.stack_id);
