#!/bin/sh
# Real kernel, runs across restarts: the daemon stopped and started again on
# the same database with the same config and kernel continues its run (a
# gap event gives the outage, cycles carry on); --new-run and a changed
# config start new runs.
set -eu
. tests/lib.sh
out=build/tests/vm-run-continuation
mkdir -p build/tests
flink_share_conf build/tests/run-b.conf 1 2
# Config A, in the guest: run, stop, wait 3 s, run again; then --new-run.
VM_BEFORE='printf "[daemon]\ninterval = 1s\n\n[workload flink-share]\nproducers = 1\nconsumers = 1\n" > /tmp/a.conf
gemsoakd -c /tmp/a.conf --database /var/lib/gemsoak/gs.db --duration 6; echo "first: $?"
sleep 3
gemsoakd -c /tmp/a.conf --database /var/lib/gemsoak/gs.db --duration 6; echo "second: $?"
gemsoakd -c /tmp/a.conf --database /var/lib/gemsoak/gs.db --duration 4 --new-run; echo "third: $?"' \
vm_run_daemon build/tests/run-b.conf 6 "$out"
db=$out/gs.db
grep -q '^first: 0' "$out/job.log" && grep -q '^second: 0' "$out/job.log" && grep -q '^third: 0' "$out/job.log" ||
	fail "a daemon start before the last failed"
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
sql "$db" "select run_id, datetime(t, 'unixepoch'), kind, message from events where kind in ('gap', 'new-run', 'run-start')"

assert_sql "$db" "select count(*) from runs" 3 "three runs: A (restarted), A --new-run, B"
assert_sql "$db" "select count(*) from events where run_id = 1 and kind = 'run-start'" 2 "run 1 started twice"
assert_sql "$db" "select count(*) from events where kind = 'gap'" 1 "one gap event"
assert_true "$db" "select run_id = 1 and cast(substr(message, instr(message, 'after ') + 6) as integer) between 3 and 30 from events where kind = 'gap'" \
	"the gap event of run 1 gives an outage of 3 s or a little more"
assert_sql "$db" "select count(*) from ticks a join ticks b on b.run_id = a.run_id and b.t > a.t and b.cycles < a.cycles" 0 \
	"cycles never go back within a run"
assert_true "$db" "select max(cycles) > (select max(cycles) from ticks where run_id = 1 and t < (select t from events where kind = 'gap')) from ticks where run_id = 1" \
	"run 1 did work after the restart"
assert_true "$db" "select count(*) = 1 from events where run_id = 2 and kind = 'new-run' and message like '%--new-run%'" "run 2: asked for"
assert_true "$db" "select count(*) = 1 from events where run_id = 3 and kind = 'new-run' and message like '%configuration changed%'" "run 3: config B"
assert_sql "$db" "select count(*) from runs where stopped is null" 0 "every run stopped cleanly"
echo "ok"
