#!/bin/sh
# A thousand worker faults on the real kernel: flink-share's workers are
# killed with SIGKILL and SIGSEGV in turn, each death restarts the
# workload (backoff shortened to 10 ms for the test), and the daemon's own
# fd count and RSS stay flat through it all: nothing leaks per restart.
set -eu
. tests/lib.sh
out=build/tests/vm-fault-storm
faults=${GS_FAULTS:-1000}
cat > build/tests/fault-storm.conf <<'EOF2'
[daemon]
interval = 1s
restart_backoff = 10ms
restart_backoff_max = 10ms

[workload flink-share]
producers = 1
consumers = 1
EOF2
VM_DURING="sleep 3
i=0
while :; do
	if [ \$((i % 50)) = 0 ]; then
		n=\$(sqlite3 /tmp/gs.db \"select count(*) from events where kind = 'worker-restart'\" 2>/dev/null || echo 0)
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
export VM_DURING
vm_run_daemon build/tests/fault-storm.conf 900 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep "sent .* signals" "$out/job.log" || fail "the fault loop did not finish"
assert_true "$db" "select count(*) >= $faults from events where kind = 'worker-restart'" "$faults restarts"
assert_true "$db" "select count(*) >= $faults from events where kind = 'worker-exit' and message like '%killed by signal%'" "each death recorded with its signal"
# Per restart nothing may be left behind. A sample can fall between a
# death and the restart (channels closed) or not, so compare peaks: the
# last third of the run peaks no higher than the first third (RSS: plus
# 512 kB for SQLite's bounded page cache and libc's arenas settling).
peak() { sql "$db" "with r as (select k.t, v.value from samples v join metrics m on m.id = v.metric_id
	join ticks k on k.id = v.tick_id where m.name = '$1'),
	b as (select min(t) lo, max(t) hi from r) select cast(max(value) as int) from r, b where $2"; }
early="t > lo + 5 and t <= lo + (hi - lo) / 3"
late="t >= hi - (hi - lo) / 3"
fds0=$(peak daemon.fds "$early") fds1=$(peak daemon.fds "$late")
rss0=$(peak daemon.rss_kb "$early") rss1=$(peak daemon.rss_kb "$late")
echo "daemon peaks: fds $fds0 -> $fds1, RSS $rss0 -> $rss1 kB"
[ "$fds1" -le "$fds0" ] || fail "the daemon's fd count grew from $fds0 to $fds1 over the restarts"
[ "$rss1" -le $((rss0 + 512)) ] || fail "the daemon's RSS grew from $rss0 to $rss1 kB over the restarts"
echo ok
