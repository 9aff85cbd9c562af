#!/bin/sh
# A thousand worker faults on the real kernel: flink-share's workers are
# killed with SIGKILL and SIGSEGV in turn, each death restarts the
# workload (backoff shortened to 10 ms for the test), and the daemon's own
# fd count and RSS stay flat through it all: nothing leaks per restart.
set -eu
. tests/lib.sh
out=build/tests/vm-fault-storm
faults=${GS_FAULTS:-1000}
flink_share_conf build/tests/fault-storm.conf 1 1 'interval = 1s
restart_backoff = 10ms
restart_backoff_max = 10ms
progress = 10s'
# The faults begin once the daemon has judged the run (its heap's one-time
# step at the first judgement is no growth over the restarts).
# shellcheck disable=SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING="wait_sql 'select count(*) > 0 from verdicts'
i=0
while :; do
	if [ \$((i % 50)) = 0 ]; then
		n=\$(sqlite3 /var/lib/gemsoak/gs.db \"select count(*) from events where kind = 'worker-restart'\" 2>/dev/null || echo 0)
		[ \"\$n\" -ge $faults ] && break
	fi
	set -- \$(pidof gs:flink-share) ''
	if [ -n \"\$1\" ]; then
		if [ \$((i % 2)) = 0 ]; then kill -KILL \$1; else kill -SEGV \$1; fi 2>/dev/null
		i=\$((i + 1))
	fi
	usleep 20000
done
echo \"sent \$i signals for \$n restarts\"
sleep 4
kill -TERM \$daemon"
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_DURING
vm_run_daemon build/tests/fault-storm.conf $((faults / 4 + 600)) "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep "sent .* signals" "$out/job.log" || fail "the fault loop did not finish"
assert_true "$db" "select count(*) >= $faults from events where kind = 'worker-restart'" "$faults restarts"
assert_true "$db" "select count(*) >= $faults from events where kind = 'worker-exit' and message like '%killed by signal%'" "each death recorded with its signal"
# Per restart nothing may be left behind. A sample can fall between a
# death and the restart (channels closed) or not, so compare peaks: the
# last third of the run peaks no higher than the first third, counted from
# the first judgement (daemon.analysis_kb set: its one-time step of the
# heap, 43 kB in a CI run whose first third ended before it, is no growth
# over the restarts; the faults wait for it, and a judgement comes every
# 10 s). Memory is
# the daemon's own heap in use (daemon.heap_outside_sqlite_kb: without
# SQLite's share, whose bounded page cache fills as the events table grows,
# and without the run's points its judgement keeps, which grow with the
# rounds: daemon.analysis_kb, printed), give or take 32 kB (it steps up
# at each minute's judgement, by 16, 11 and 4 kB in the first three, and
# settles; a leak of 32 bytes a restart would pass it); RSS, which
# also counts freed but kept pages, is printed.
peak() { sql "$db" "with r as (select k.t, sum(case m.name when '$1' then v.value else -v.value end) as value
	from samples v join metrics m on m.id = v.metric_id join ticks k on k.id = v.tick_id
	where m.name in ('$1', '${3:-none}') group by k.t),
	b as (select $judged lo, max(t) hi from r) select cast(max(value) as int) from r, b where $2"; }
judged=$(sql "$db" "select min(k.t) from samples v join metrics m on m.id = v.metric_id join ticks k on k.id = v.tick_id
	where m.name = 'daemon.analysis_kb' and v.value > 0")
[ -n "$judged" ] || fail "no judgement in the run (daemon.analysis_kb never set)"
early="t >= lo and t <= lo + (hi - lo) / 3"
late="t >= hi - (hi - lo) / 3"
fds0=$(peak daemon.fds "$early") fds1=$(peak daemon.fds "$late")
heap0=$(peak daemon.heap_outside_sqlite_kb "$early") heap1=$(peak daemon.heap_outside_sqlite_kb "$late")
echo "daemon peaks: fds $fds0 -> $fds1, heap without SQLite and the judgement's points $heap0 -> $heap1 kB" \
	"(the points $(peak daemon.analysis_kb "$early") -> $(peak daemon.analysis_kb "$late") kB)," \
	"RSS $(peak daemon.rss_kb "$early") -> $(peak daemon.rss_kb "$late") kB"
[ "$fds1" -le "$fds0" ] || fail "the daemon's fd count grew from $fds0 to $fds1 over the restarts"
[ "$heap1" -le $((heap0 + 32)) ] || fail "the daemon's heap grew from $heap0 to $heap1 kB over the restarts"
echo ok
