#!/bin/sh
# The leak guard while the daemon is busy. A sampling round can take
# seconds (tens of thousands of leaked dma-bufs to read on a slow guest),
# and the loop's own guard waits behind it while a leak eats the memory
# left. The guard's watch thread reads MemAvailable on its own: below the
# floor it freezes the workers' process groups at once, and the loop stops
# them for good when the round ends. Here the round is held by stopping
# the kernel model (every debugfs read the round makes waits on it), with
# seed 000's fix out. While it is held: above the floor no worker is
# frozen; below it every worker is (state T) within the watch's period,
# and the blocked loop has recorded no guard event yet. Released: a
# freeze event, the stop, what it freed, no anomaly, then the workloads
# start again when memory is back, and the daemon exits 0.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
dir=$TOP/build/tests/leak-guard-busy
rm -rf "$dir"
mkdir -p "$dir"
trap 'kill -CONT "${model_pid:-0}" 2>/dev/null || true; kill "$daemon" 2>/dev/null || true; model_stop' EXIT
daemon=

# wait_for WHAT CMD...: poll CMD until it succeeds (at most 30 s).
wait_for() {
	what=$1
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 300 ] || { cat "$dir/daemon.log"; debug_states; fail "$what: not within 30 s"; }
		sleep 0.1
	done
}
debug_states() {
	for t in /proc/"$daemon"/task/*; do echo "daemon thread ${t##*/}: $(state "$daemon/task/${t##*/}") $(cat "$t/wchan") $(cut -d' ' -f1 "$t/syscall")"; done
	for w in $(pgrep -P "$daemon"); do echo "worker $w: $(state "$w") pgid $(ps -o pgid= -p "$w")"; done
}
db_has() { [ "$(sql "$db" "$1" 2>/dev/null)" = 1 ]; }
state() { sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
# all_workers STATE: every worker process of the daemon is in STATE.
all_workers() {
	for w in $(pgrep -P "$daemon"); do
		[ "$(state "$w")" = "$1" ] || return 1
	done
}
# no_worker STATE
no_worker() {
	for w in $(pgrep -P "$daemon"); do
		[ "$(state "$w")" != "$1" ] || return 1
	done
}
# The loop's thread waits in a read from the stopped model: asleep, in a
# system call (not "running"), for a tenth of a second twice in a row.
loop_blocked() {
	s1=$(cut -d' ' -f1 "/proc/$daemon/task/$daemon/syscall")
	sleep 0.1
	s2=$(cut -d' ' -f1 "/proc/$daemon/task/$daemon/syscall")
	[ "$s1" != running ] && [ "$s1" = "$s2" ] && [ "$(state "$daemon")" = S ]
}

model_start "$dir" --without-fix 000
model_guard_daemon "$dir"
db=$dir/gs.db
wait_for "three rounds" db_has "select count(*) >= 3 from ticks"
workers=$(pgrep -P "$daemon" | wc -l)
[ "$workers" -ge 1 ] || fail "no worker processes"

# Hold the next round: the model stops answering.
kill -STOP "$model_pid"
wait_for "the loop blocked in a round" loop_blocked
ticks_held=$(sql "$db" "select count(*) from ticks")
# Above the floor the watch leaves the workers alone (two of its periods).
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	no_worker T || fail "a worker frozen above the floor"
	sleep 0.1
done
t0=$(date +%s.%N)
model_set_available "$dir" 50000
wait_for "every worker frozen" all_workers T
t1=$(date +%s.%N)
frozen_after=$(echo "$t1 - $t0" | bc | xargs printf "%.2f")
loop_blocked || fail "the loop was not blocked while the workers froze"
assert_sql "$db" "select count(*) from events where kind like 'leak-guard%'" 0 "no guard event from the blocked loop"
assert_sql "$db" "select count(*) from ticks" "$ticks_held" "no round while the loop is blocked"
echo "held round: $workers worker(s) frozen ${frozen_after}s after MemAvailable fell, the loop still blocked"

# Release the round: the loop stops the frozen workers for good.
kill -CONT "$model_pid"
wait_for "the stop and its measure" db_has "select count(*) = 1 from events where kind = 'leak-guard-freed'"
sql "$db" "select kind || ': ' || message from events where kind like 'leak-guard%' order by id"
assert_sql "$db" "select count(*) from events where kind = 'leak-guard-freeze' and message like '%froze % workload process group(s)%'" 1 \
	"one freeze event"
assert_sql "$db" "select count(*) from events where kind = 'leak-guard'" 1 "one stop"
assert_sql "$db" "select count(*) from anomalies" 0 "no anomaly from the frozen and stopped workers"
assert_sql "$db" "select count(*) from events where kind in ('hang', 'worker-hung')" 0 "frozen workers taken for hung"
freed=$(sql "$db" "select message from events where kind = 'leak-guard-freed'" |
	sed -n 's/.*dmabuf.objects [0-9]* -> [0-9]* (freed \([0-9-]*\)).*/\1/p')
echo "the stop freed $freed dma-buf(s)"
[ "${freed:-0}" -ge 100 ] || fail "the stop freed only ${freed:-no} dma-buf(s) (seed 000's leak)"

# Memory back: the workloads start again, and the watch with them.
stop_cycles=$(sql "$db" "select max(cycles) from ticks")
model_set_available "$dir" 3000000
wait_for "the workers restart" db_has "select count(*) = 1 from events where kind = 'leak-guard-resume'"
wait_for "cycles after the restart" db_has "select max(cycles) > $stop_cycles from ticks"
no_worker T || fail "a worker frozen after the resume"
stop_daemon
[ $rc = 0 ] || { cat "$dir/daemon.log"; fail "gemsoakd exited with $rc"; }
assert_sql "$db" "pragma integrity_check" ok "database integrity"
echo "ok: frozen within ${frozen_after}s while the round was held, stopped and freed $freed dma-bufs after it"
