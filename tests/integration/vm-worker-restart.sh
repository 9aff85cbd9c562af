#!/bin/sh
# A worker that dies is logged with its signal and the workload restarts:
# kill one flink-share process with SIGSEGV and one with SIGKILL in the VM,
# then stop the workload's processes with SIGSTOP: the stalled workload is
# found hung and restarted. (All of them: a stopped consumer alone does not
# stall the producer, which keeps serving the other consumer.)
set -eu
. tests/lib.sh
out=build/tests/vm-worker-restart
flink_share_conf build/tests/worker-restart.conf 1 2
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='sleep 6; kill -SEGV $(pidof gs:flink-share | cut -d" " -f1); sleep 6; kill -KILL $(pidof gs:flink-share | cut -d" " -f1); sleep 6; kill -STOP $(pidof gs:flink-share)'
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_DURING
vm_run_daemon build/tests/worker-restart.conf 36 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
sql "$db" "select kind, message from events"
assert_sql "$db" "select count(*) from events where kind = 'worker-exit' and message like '%killed by signal SEGV%'" 1 "SIGSEGV death recorded"
assert_sql "$db" "select count(*) from events where kind = 'worker-exit' and message like '%killed by signal KILL%'" 1 "SIGKILL death recorded"
assert_sql "$db" "select count(*) from events where kind = 'worker-hang' and message like 'no cycle completed for % s%'" 1 "the stopped worker is found hung"
assert_sql "$db" "select count(*) from events where kind = 'worker-restart'" 3 "three restarts"
# Found within two intervals (1 s each here, 5 s at the least) of the stop at ~18 s.
assert_true "$db" "select (select t from events where kind = 'worker-hang') - (select t from events where kind = 'run-start') between 18 and 30" "hang found in time"
assert_true "$db" "select source = 'workload flink-share' from events where kind = 'worker-exit' limit 1" "event names the workload"
# Cycles keep counting after the last restart (its backoff is 4 s).
assert_true "$db" "select max(k.cycles) > (select k2.cycles from ticks k2 join events e on e.kind = 'worker-restart' and k2.t >= e.t order by e.t desc, k2.t limit 1) from ticks k" "work resumes after restart"
# No flink names leaked by the killed processes: the kernel cleans up on file close.
assert_true "$db" "select $(series gem.flink_names 'max(s.value)' \
	"s.tick_id in (select id from ticks where t > (select max(t) from events where kind = 'worker-restart') + 1)") <= 1" "no names left by dead workers"
echo ok
