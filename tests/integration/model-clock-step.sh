#!/bin/sh
# Steps of the wall clock during a run, against the kernel model on the
# host, the clock stepped for gemsoakd alone by libfaketime (its monotonic
# and boot clocks left alone, as a real step leaves them):
# 1. Back one day mid-run, then a restart that continues the run: its
#    ticks stay in the order they were taken, the cycles never fall, the
#    gap is the time really elapsed, and a clock-step event gives the step.
# 2. Forward two days, past `retention` (a board without RTC whose clock
#    NTP sets): no sample taken before the step is pruned.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || { echo "skip: no libfaketime (Debian package libfaketime)"; exit 77; }
out=$TOP/build/tests/model-clock-step
rm -rf "$out"
mkdir -p "$out"
daemon=
trap 'kill "$daemon" 2>/dev/null || true; model_stop' EXIT
model_start "$out"

# faked_daemon LOG DB DURATION: gemsoakd on the model, its wall clock
# offset by what $out/clock says (re-read at every call).
faked_daemon() {
	env GS_MODEL_SOCKET="$out/sock" GS_MODEL_DEV="$out/card0" LD_PRELOAD="$MODEL_SHIM $FAKETIME_LIB" \
		FAKETIME_TIMESTAMP_FILE="$out/clock" FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$GEMSOAKD" -c "$out/test.conf" --database "$2" --duration "$3" > "$1" 2>&1 &
	daemon=$!
}

# wait_ticks DB N: poll until DB holds N ticks.
wait_ticks() {
	i=0
	until [ "$(sql "$1" "select count(*) from ticks" 2>/dev/null || echo 0)" -ge "$2" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "$1: fewer than $2 ticks after 30 s"
		sleep 0.1
	done
}

# finish LOG: wait for the daemon, which must exit 0.
finish() {
	wait_daemon
	[ "$rc" = 0 ] || { cat "$1"; fail "gemsoakd exited $rc"; }
}

# 1. Back one day, then a restart.
model_flink_conf "$out/test.conf" "$out"
db=$out/back.db
echo "+0" > "$out/clock"
faked_daemon "$out/back1.log" "$db" 8s
wait_ticks "$db" 4
echo "-1d" > "$out/clock"
finish "$out/back1.log"
faked_daemon "$out/back2.log" "$db" 4s
finish "$out/back2.log"
ticks=$(sql "$db" "select count(*) from ticks")
below=$(sql "$db" "select count(*) from ticks k where exists (select 1 from ticks e where e.run_id = k.run_id and e.id < k.id and e.t > k.t)")
fell=$(sql "$db" "select count(*) from ticks k where exists (select 1 from ticks e where e.run_id = k.run_id and e.id < k.id and e.cycles > k.cycles)")
gap=$(sql "$db" "select message from events where kind = 'gap'")
step=$(sql "$db" "select message from events where kind = 'clock-step'")
echo "back one day: $ticks ticks in $(sql "$db" "select count(*) from runs") run(s), $below below an earlier one, cycles fell at $fell, $(sql "$db" "select min(cycles) || ' -> ' || max(cycles) from ticks")"
echo "  gap: $gap"
echo "  clock-step: $step"
[ "$below" = 0 ] || fail "$below tick(s) below an earlier one of their run"
[ "$fell" = 0 ] || fail "the cycles fell at $fell tick(s)"
echo "$gap" | grep -Eq "continues after [0-9]+ s" || fail "gap event: $gap"
echo "$step" | grep -q "stepped -8640[0-9] s" || fail "no clock-step event of about -86400 s: '$step'"
assert_sql "$db" "select max(id) = (select id from ticks order by t desc limit 1) from ticks" 1 "the newest tick is the last taken"

# 2. Forward two days, past retention.
printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\nretention = 1m\n\n[workload flink-share]\nproducers = 1\nconsumers = 1\nrate = 50\n' \
	"$out" "$out" > "$out/test.conf"
db=$out/forward.db
echo "+0" > "$out/clock"
faked_daemon "$out/forward.log" "$db" 8s
wait_ticks "$db" 4
before=$(sql "$db" "select count(*) from samples")
echo "+2d" > "$out/clock"
finish "$out/forward.log"
bare=$(sql "$db" "select count(*) from ticks k where not exists (select 1 from samples s where s.tick_id = k.id)")
step=$(sql "$db" "select message from events where kind = 'clock-step'")
echo "forward two days, retention 1m: $bare of $(sql "$db" "select count(*) from ticks") ticks lost their samples ($before samples before the step)"
echo "  clock-step: $step"
[ "$bare" = 0 ] || fail "the step pruned the samples of $bare tick(s)"
echo "$step" | grep -q "stepped +17280[0-9] s" || fail "no clock-step event of about +172800 s: '$step'"
echo "ok: no step reordered, shortened or pruned a run"
