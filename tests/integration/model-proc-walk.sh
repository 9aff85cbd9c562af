#!/bin/sh
# The walk over /proc (sources/proc-walk.c) on a host with many processes,
# against the kernel model (6.5+'s fdinfo memory keys), a flink-share
# workload running:
#  - its cost: 200 processes hold 50 idle fds each (bench/hold-fds); the
#    links read and files stat'ed by the daemon's sampling thread, counted
#    by strace over some rounds, stay within twice the walk's budget per
#    round (three walks of every fd each round before);
#  - its bound keeps the metrics right: gs-model-holder, a process that is
#    no worker, started after them (a higher pid) with 16 objects of 64 KiB
#    on a DRM file of its own, is counted (gem.client_bytes_by_other =
#    1 MiB) from the round after its start (debugfs clients lists it, so it
#    is visited before the budget's turn) and in every round after that;
#  - the negative control: that metric is 0 in the rounds before the
#    holder starts and after it is killed (a process gone is dropped in the
#    next round).
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s model all build/bench/hold-fds
command -v strace > /dev/null || fail "strace is needed (tools/packages.txt)"
out=$TOP/build/tests/model-proc-walk
rm -rf "$out"
mkdir -p "$out"
HOLDER=$TOP/build/tests/gs-model-holder
fds='' holder='' daemon=''
# shellcheck disable=SC2154 # p is the trap's own variable
trap 'for p in $holder $fds $daemon; do kill "$p" 2>/dev/null; done; model_stop; true' EXIT

model_start "$out" --fdinfo-memory
build/bench/hold-fds 200 50 > "$out/fds.out" &
fds=$!
wait_line "$out/fds.out" holding 120
model_flink_conf "$out/test.conf" "$out"
db=$out/gs.db
model_daemon "$out/daemon.log" -c "$out/test.conf" --database "$db" --duration 60s
wait_line "$out/daemon.log" run-start 30
ticks() { sql "$db" 'select count(*) from ticks'; }
until [ "$(ticks)" -ge 3 ]; do sleep 0.2; done

# The cost: the system calls of the sampling thread (the daemon's main
# thread; the workers are other processes) over 6 s of rounds.
k0=$(ticks)
timeout -s INT 6 strace -c -e trace=readlink,readlinkat,statx,newfstatat,stat,lstat -p "$daemon" -o "$out/strace.txt" || true
k1=$(ticks)
cat "$out/strace.txt"
# strace -c's columns: % time, seconds, usecs/call, calls, [errors,] syscall
calls=$(awk '$NF ~ /^(readlink|readlinkat|statx|newfstatat|stat|lstat)$/ { n += $4 } END { print n + 0 }' "$out/strace.txt")
rounds=$((k1 - k0))
[ "$rounds" -gt 0 ] || fail "no round while strace counted"
per=$((calls / rounds))
echo "links read and files stat'ed: $calls in $rounds rounds, $per per round (200 processes x 50 fds; budget 1024 units)"
[ "$per" -le 2048 ] || fail "the walk looked at $per fds per round: more than twice its budget"

# The holder, started after the processes the budget spreads over rounds.
t_start=$(date +%s.%N)
env GS_MODEL_SOCKET="$mdir/sock" GS_MODEL_DEV="$mdir/card0" LD_PRELOAD="$MODEL_SHIM" \
	"$HOLDER" "$out/card0" 16 65536 > "$out/holder.out" 2>&1 &
holder=$!
wait_line "$out/holder.out" "holding 16 objects" 30
other() { # the rounds after T with gem.client_bytes_by_other at VALUE
	sql "$db" "select count(*) from ticks k join samples s on s.tick_id = k.id join metrics m on m.id = s.metric_id
		   where m.name = 'gem.client_bytes_by_other' and k.t > $1 and s.value $2"
}
i=0
until [ "$(other "$t_start" '= 1048576')" -ge 3 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the holder's 1 MiB not seen within 30 s"
	sleep 0.1
done
t_kill=$(date +%s.%N)
kill "$holder"
wait "$holder" 2>/dev/null || true
holder=
# the round under way at the kill may have seen the holder; the next two cannot
until [ "$(other "$t_kill + 1.5" '>= 0')" -ge 2 ]; do sleep 0.2; done
stop_daemon
[ "$rc" = 0 ] || { cat "$out/daemon.log"; fail "gemsoakd exited $rc"; }

before=$(other 0 "<> 0 and k.t < $t_start")
late=$(sql "$db" "select count(*) from ticks where t > $t_start and t < (select min(k.t) from ticks k join samples s on s.tick_id = k.id
	join metrics m on m.id = s.metric_id where m.name = 'gem.client_bytes_by_other' and s.value = 1048576 and k.t > $t_start)")
gap=$(other "$t_start" "<> 1048576 and k.t > (select min(k2.t) from ticks k2 join samples s2 on s2.tick_id = k2.id
	join metrics m2 on m2.id = s2.metric_id where m2.name = 'gem.client_bytes_by_other' and s2.value = 1048576 and k2.t > $t_start) and k.t < $t_kill")
after=$(other "$t_kill + 1.5" "<> 0")
echo "gem.client_bytes_by_other: rounds with a value before the holder: $before; the holder counted $late round(s) after its start;"
echo "  rounds without its 1 MiB between then and its kill: $gap; rounds with a value after it was gone: $after"
[ "$before" = 0 ] || fail "another process's GEM memory counted before the holder started"
[ "$gap" = 0 ] || fail "the holder's memory missing in $gap round(s) after it was first counted"
[ "$after" = 0 ] || fail "the holder's memory still counted after it was gone"
