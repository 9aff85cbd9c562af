#!/bin/sh
# The device vanishes under a running gemsoakd (the driver unbound) and
# comes back. The real vgem cannot be unbound while files are open, so the
# kernel model does it (SIGUSR1: ioctls on open files fail with ENODEV,
# opens fail, debugfs dri/N goes; SIGUSR2: a fresh device). The daemon must
# go on sampling, say once that the device is gone, restart its workers
# with backoff without an event per attempt, and run them again after.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-device-vanish
rm -rf "$out"
mkdir -p "$out"
trap 'kill "$daemon" 2>/dev/null || true; model_stop' EXIT
daemon=

model_start "$out"
flink_share_conf "$out/test.conf" 1 1 "device = $out/card0
debugfs = $out/debugfs
interval = 1s
restart_backoff = 1s
restart_backoff_max = 4s"
cat >> "$out/test.conf" <<EOF
rate = 200

[workload prime-share]
rate = 200
EOF
db=$out/gs.db
model_daemon "$out/daemon.log" -c "$out/test.conf" --database "$db" --duration 120s

# now: the wall clock as the daemon records it (seconds, fractional)
now() {
	date +%s.%N
}
sleep 5
unplug=$(now)
kill -USR1 "$model_pid"
sleep 12
replug=$(now)
kill -USR2 "$model_pid"
sleep 10
kill -TERM "$daemon"
set +e
wait "$daemon"
status=$?
set -e
daemon=
model_stop
echo "--- model server ---"
cat "$out/server.log"
echo "--- gemsoakd (unplugged at $unplug, bound again at $replug) ---"
cat "$out/daemon.log"
sqlite3 -box "$db" "select datetime(t, 'unixepoch') as t, severity, source, kind, message from events" || true

[ "$status" = 0 ] || fail "gemsoakd exited with $status"
assert_sql "$db" "pragma integrity_check" ok "integrity"
grep -q "device unplugged" "$out/server.log" || fail "the model did not unplug"

# The device's disappearance is recorded once per workload, naming the device.
assert_sql "$db" "select group_concat(source || ' ' || n) from (select source, count(*) as n from events
	where kind = 'device-gone' and message like '%$out/card0 is gone: % returned ENODEV%' group by source order by source)" \
	"workload flink-share 1,workload prime-share 1" "one device-gone event per workload naming the device"
assert_true "$db" "select max(t) between $unplug and $unplug + 3 from events where kind = 'device-gone'" \
	"device-gone seen at once"
# Restarts while it is away: the backoff (1, 2, 4, 4 s) bounds them, and
# only the first is an event.
grep -q "cannot open $out/card0: No such file or directory" "$out/daemon.log" ||
	fail "the restarted workers found no device (nothing in the log)"
for w in flink-share prime-share; do
	assert_true "$db" "select count(*) between 1 and 2 from events where kind = 'worker-restart' and source = 'workload $w'" \
		"$w: at most two restart events"
	assert_true "$db" "select count(*) <= 2 from events where kind = 'worker-exit' and source = 'workload $w'" \
		"$w: at most two worker-exit events"
done
assert_sql "$db" "select count(*) from events where kind in ('worker-hang', 'device')" 0 "no hang, no event per failed open"
assert_true "$db" "select count(*) <= 16 from events where t between $unplug and $replug" "no flood of events while the device is away"

# The sampler kept its rounds (daemon.* metrics too), and said once per
# source that debugfs dri/N was gone, and once that it was back. (A
# loaded host takes rounds late, up to 3.7 s apart; rounds not taken
# while the device was away would leave its whole absence.)
assert_true "$db" "select max(k2.t - k1.t) < 4 from ticks k1 join ticks k2 on k2.id = (select min(id) from ticks where id > k1.id)" \
	"no gap of 4 intervals between rounds"
assert_true "$db" "select count(*) >= 10 from ticks where t between $unplug and $replug" "rounds during the outage"
assert_true "$db" "select $(series daemon.rss_kb 'count(*)' "s.tick_id in (select id from ticks where t between $unplug and $replug)") >= 10" "daemon.* metrics during the outage"
assert_true "$db" "select count(*) >= 1 from events where kind = 'source-unavailable' and message like 'gem_names%'" \
	"the vanished debugfs file recorded"
assert_sql "$db" "select count(*) from (select message from events where kind = 'source-unavailable' group by message having count(*) > 1)" 0 \
	"each source recorded unavailable once"
assert_sql "$db" "select count(*) from events where kind = 'source-unavailable' and t >= $unplug" \
	"$(sql "$db" "select count(*) from events where kind = 'source-recovered' and t >= $replug")" \
	"every source that went with the device recovered"

# Bound again: the workers come back and the cycles grow.
assert_sql "$db" "select count(*) from events where kind = 'device-back' and t > $replug" 2 "device-back event of each workload"
# cycles W FROM TO: workload W's cycles grew by this much between two times
cycles() {
	sql "$db" "select $(series "workload.$1.cycles" 'max(s.value) - min(s.value)' \
		"s.tick_id in (select id from ticks where t between $2 and $3)")"
}
for w in flink-share prime-share; do
	[ "$(cycles $w "$unplug + 2" "$replug")" = 0.0 ] || fail "$w: cycles while the device is away"
	awk -v c="$(cycles $w "$replug" 1e12)" 'BEGIN { exit !(c > 100) }' || fail "$w: cycles do not grow after the device is back"
done
at_replug=$(sql "$db" "select max(cycles) from ticks where t <= $replug")
echo "device vanish: unbound 12 s, $(sql "$db" "select count(*) from ticks") rounds with no gap," \
	"$(sql "$db" "select count(*) from events where kind = 'worker-restart'") restart events for 2 workloads," \
	"$(sql "$db" "select count(*) from events") events in all; cycles $at_replug at rebind, $(sql "$db" "select max(cycles) from ticks") at the end"
