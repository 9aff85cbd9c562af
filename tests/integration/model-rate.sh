#!/bin/sh
# Controls that really run: gemsoakd against the kernel model with a
# canary capped far above what any machine gives it (rate 100,000,000) and
# a flink-share capped at 20 cycles/s, which it reaches (the negative
# control). The canary gets one workload-below-rate event with its
# cycles/s and cap, not one per round; the progress line says how long
# the canary needs at the rate it really gets; `gemsoak status` shows
# both workloads against their rate, and `gemsoak gate` fails the run
# for the canary's too little work; tools/rate-warnings.sh (the end of
# make demo and make soak) names it. flink-share gets no event. A third
# workload capped below a cycle a second (rate = 0.5, as a slow leak
# beside fast clean work is) keeps to it: at most one cycle per 2 s, its
# rate recorded and shown as 0.5, at its rate, no event.
set -eu
. tests/lib.sh
. tests/model/lib.sh
command -v script > /dev/null || { echo "script (bsdutils) is not installed"; exit 77; }
make -s all model
out=$TOP/build/tests/model-rate
rm -rf "$out"
mkdir -p "$out"
trap 'model_stop' EXIT
model_start "$out"
{
	model_daemon_section "$out" 1s
	# no probe: its pauses are left out of the rate's window, which 18 s
	# would then not fill
	cat <<CONF
progress = 2s
probe = no

[workload canary]
rate = 100000000
leak_every = 20000

[workload flink-share]
rate = 20

[workload slow]
type = flink-share
producers = 1
consumers = 1
rate = 0.5
CONF
} > "$out/test.conf"
# 12 intervals of 1 s make the window: 18 s give it room to fall and stay,
# also with rounds late on a busy machine.
model_env script -qefc "$GEMSOAKD -c $out/test.conf --database $out/gs.db --duration 18s" \
	/dev/null > "$out/tty.log" 2>&1 || fail "gemsoakd on a pty failed: $(tail -3 "$out/tty.log")"
model_stop
db=$out/gs.db
sql "$db" "select source, kind, message from events where kind like 'workload-%rate%'"
below=$(sql "$db" "select count(*) from events where source = 'workload canary' and kind = 'workload-below-rate'")
control=$(sql "$db" "select count(*) from events where source in ('workload flink-share', 'workload slow') and kind like 'workload-%rate%'")
[ "$below" = 1 ] || fail "canary: $below workload-below-rate events, not 1"
[ "$control" = 0 ] || fail "flink-share at its rate: $control rate events, not 0"
msg=$(sql "$db" "select message from events where kind = 'workload-below-rate'")
echo "$msg" | grep -Eq '^[0-9.]+ cycles/s over the last 12 s, below half its rate of 100000000, one kept name per 20000 cycles: first evidence after about [0-9]+ (s|min|h|days)$' ||
	fail "the event's message: $msg"
assert_sql "$db" "select group_concat(key || '=' || value) from run_props where key glob 'rate.*' or key glob 'leak_every.*'" \
	"leak_every.canary=20000,rate.canary=100000000,rate.flink-share=20,rate.slow=0.5" "the caps recorded"
# the slow workload's cycles over the run: a cycle per 2 s at most (one
# more for the cycle under way at the end), and some
slow=$(sql "$db" "select max(s.value) from samples s join metrics m on m.id = s.metric_id where m.name = 'workload.slow.cycles'")
span=$(sql "$db" "select max(t) - min(t) from ticks")
echo "slow: $slow cycles in $span s at rate 0.5"
assert_true "$db" "select $slow >= 3 and $slow <= $span * 0.5 + 1" "slow: $slow cycles in $span s at rate 0.5"

tr -d '\r' < "$out/tty.log" | grep 'progress: ' > "$out/progress" || true
tail -1 "$out/progress"
tail -1 "$out/progress" | grep -Eq 'canary: [0-9.]+ cycles/s, one kept name per 20000 cycles: first evidence after about ' ||
	fail "the progress line does not say what the canary needs"

run_rc "$TOP/build/gemsoak" status -D "$db" > "$out/status"
sed -n '/^workloads/,/^$/p' "$out/status"
grep -Eq '^canary +[0-9.]+ +100000000 +below half its rate since ' "$out/status" || fail "status: the canary below its rate"
grep -Eq '^flink-share +[0-9.]+ +20 +at its rate' "$out/status" || fail "status: flink-share at its rate"
grep -Eq '^slow +0\.[0-9]+ +0\.5 +at its rate' "$out/status" || fail "status: slow at its rate of 0.5"
grep -Eq '^canary: one kept name per 20000 cycles: first evidence after about ' "$out/status" || fail "status: the control's time"

run_rc "$TOP/build/gemsoak" gate -D "$db" > "$out/gate"
grep 'work\|FAIL *canary\|flink-share' "$out/gate" || true
[ $rc = 1 ] && grep -q '^FAIL *canary: too little work: 1 time(s) below half its rate' "$out/gate" ||
	fail "gate: exit $rc, the canary's too little work not said"
! grep -q '^FAIL *flink-share\|^FAIL *slow' "$out/gate" || fail "gate: flink-share or slow failed"
# What make demo and make soak print at their end.
tools/rate-warnings.sh "$db" 2> "$out/warnings"
cat "$out/warnings"
grep -q '^warning: the machine was too busy for the config: canary ran at ' "$out/warnings" &&
	! grep -q 'flink-share\|slow' "$out/warnings" || fail "rate-warnings.sh"
echo "model-rate: canary below its rate: $msg; flink-share at 20: $control rate events"
