#!/bin/sh
# The leak guard against the kernel model: seed 000's prime-share with the
# fix out (every exported dma-buf stays until its file closes) and, as the
# control, with the fix in. The guard reads MemAvailable from a meminfo
# file this test writes (the [daemon] meminfo key), so the test decides
# when memory is short; what the guard does it does on the numbers it
# reads. Below the floor it must stop the workers, keep sampling, record a
# leak-guard event saying how much stopping them freed (on the leaking
# model: the leaked dma-bufs; with the fix in: next to nothing), and start
# the workers again when MemAvailable is back. The daemon survives, exits
# 0 and the database is intact. The workers' oom_score_adj is 1000, the
# daemon's -900 where the system lets it lower its own.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/leak-guard
rm -rf "$out"
mkdir -p "$out"
trap 'kill "$daemon" 2>/dev/null || true; model_stop' EXIT
daemon=

# wait_sql DB QUERY WHAT: poll until QUERY prints 1 (at most 60 s).
wait_sql() {
	i=0
	until [ "$(sql "$1" "$2" 2>/dev/null)" = 1 ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || { cat "$dir/daemon.log"; fail "$3: not within 60 s"; }
		sleep 0.1
	done
}

cycles="select max(cycles) from ticks"
for variant in off on; do
	dir=$out/$variant
	mkdir -p "$dir"
	if [ $variant = off ]; then model_start "$dir" --without-fix 000; else model_start "$dir"; fi
	model_guard_daemon "$dir"
	db=$dir/gs.db
	wait_sql "$db" "select count(*) >= 1 from ticks" "a first round ($variant)"
	# Verdicts after seconds, not the 20 minutes a real soak needs.
	sqlite3 -cmd ".timeout 5000" "$db" "update trend_thresholds set min_span_s = 3, min_windows = 4"
	wait_sql "$db" "select count(*) >= 8 from ticks" "eight rounds ($variant)"
	# The OOM killer's order: the workers first (1000), the daemon last
	# (-900, where this system lets it lower its score).
	workers=$(pgrep -P "$daemon" || true)
	[ -n "$workers" ] || fail "no worker processes ($variant)"
	for w in $workers; do
		[ "$(cat "/proc/$w/oom_score_adj")" = 1000 ] || fail "worker $w: oom_score_adj $(cat "/proc/$w/oom_score_adj"), expected 1000"
	done
	adj=$(cat /proc/$daemon/oom_score_adj)
	[ "$adj" = -900 ] || grep -q "cannot lower the daemon's oom_score_adj" "$dir/daemon.log" ||
		fail "the daemon's oom_score_adj is $adj, and no message says why it is not -900"
	echo "$variant: oom_score_adj: workers 1000, daemon $adj"
	# Above the floor the guard does nothing.
	assert_sql "$db" "select count(*) from events where kind like 'leak-guard%'" 0 "no guard event above the floor ($variant)"
	model_set_available "$dir" 50000
	wait_sql "$db" "select count(*) = 1 from events where kind = 'leak-guard-freed'" "the guard stops the workers ($variant)"
	echo "$variant: $(sql "$db" "select message from events where kind = 'leak-guard'")"
	msg=$(sql "$db" "select message from events where kind = 'leak-guard-freed'")
	echo "$variant: $msg"
	freed=$(echo "$msg" | sed -n 's/.*dmabuf.objects [0-9]* -> [0-9]* (freed \([0-9-]*\)).*/\1/p')
	[ -n "$freed" ] || fail "the guard event gives no dma-buf figure ($variant)"
	eval "freed_$variant=$freed"
	# Stopped: sampling goes on, cycles stand still.
	stop_tick=$(sql "$db" "select max(id) from ticks")
	stop_cycles=$(sql "$db" "$cycles")
	wait_sql "$db" "select count(*) >= 3 from ticks where id > $stop_tick" "sampling goes on while stopped ($variant)"
	assert_sql "$db" "$cycles" "$stop_cycles" "no cycle while the workers are stopped ($variant)"
	# Memory back: the workloads start again.
	model_set_available "$dir" 3000000
	wait_sql "$db" "select count(*) = 1 from events where kind = 'leak-guard-resume'" "the workers restart ($variant)"
	wait_sql "$db" "select max(cycles) > $stop_cycles from ticks" "cycles advance after the restart ($variant)"
	stop_daemon
	model_stop
	[ $rc = 0 ] || { cat "$dir/daemon.log"; fail "gemsoakd exited with $rc ($variant)"; }
	assert_sql "$db" "pragma integrity_check" ok "database integrity ($variant)"
	assert_sql "$db" "select count(*) from run_props where key = 'leak_guard.1.leaking'" 1 "the verdicts at the stop are kept ($variant)"
	echo "$variant: leaking when stopped: '$(sql "$db" "select value from run_props where key = 'leak_guard.1.leaking'")'," \
		"now: $(sql "$db" "select group_concat(metric || '=' || verdict) from leak_trends where metric = 'dmabuf.objects'")"
done
# shellcheck disable=SC2154 # set by eval "freed_$variant=..." above
echo "dma-bufs freed by stopping the workers: fix out $freed_off, fix in $freed_on"
# The leak is what the stop frees: many dma-bufs with the fix out, at
# most the few in flight with it in.
[ "$freed_off" -ge 100 ] || fail "fix out: the stop freed only $freed_off dma-buf(s)"
[ "$freed_on" -le 10 ] || fail "fix in: the stop freed $freed_on dma-buf(s)"
off_leaking=$(sql "$out/off/gs.db" "select value from run_props where key = 'leak_guard.1.leaking'")
case "$off_leaking" in *dmabuf.objects*) ;; *) fail "fix out: dmabuf.objects not leaking when stopped ('$off_leaking')" ;; esac
# gemsoak status keeps saying what was leaking when the guard stopped it.
"$TOP/build/gemsoak" status --db "$out/off/gs.db" > "$out/status.off"
grep -q '^leak guard: the workloads were stopped 1 time(s) for lack of memory; leaking when stopped: .*dmabuf.objects' \
	"$out/status.off" || { cat "$out/status.off"; fail "gemsoak status does not give the guard's verdicts"; }
grep '^leak guard' "$out/status.off"
on_leaking=$(sql "$out/on/gs.db" "select value from run_props where key = 'leak_guard.1.leaking'")
case "$on_leaking" in *dmabuf.objects*) fail "fix in: dmabuf.objects called leaking" ;; esac
echo ok
