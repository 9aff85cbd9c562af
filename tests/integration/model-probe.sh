#!/bin/sh
# The attribution probe ([daemon] probe), against the kernel model.
# Two workloads at steady rates (flink-share and a canary keeping one
# object per 20 of its cycles, both capped at 100 cycles/s), so their
# cycles rise in step and a regression on each one's cycles cannot tell
# which one leaks:
#  - probe = 15s for 140 s: pauses recorded for both workloads, the
#    paused one's cycles flat during each of its pauses while the other's
#    advance, no worker taken for hung or dead, every pause closed (the
#    daemon stops during the last one); leak_trends names the canary for
#    gem.flink_names with attribution = 'probe', and so does a merged
#    copy of that run (its pauses copied);
#  - the negative control, the same without the probe: no pause, and
#    gem.flink_names 'ambiguous' (or 'regression' naming the canary when
#    the cycles happened to differ enough);
#  - a reload that restarts the paused workload ends its pause, so does
#    the leak guard stopping the workloads (the probe goes on once they
#    start again), and a SIGTERM during a pause continues the paused
#    workers and closes the pause; gemsoakd exits 0.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s model all
out=$TOP/build/tests/model-probe
rm -rf "$out"
mkdir -p "$out"
trap 'model_stop; for d in $out/on $out/off $out/reload; do [ -f "$d/model.pid" ] && kill "$(cat "$d/model.pid")" 2>/dev/null; done; true' EXIT

# run DIR PROBE_KEY SECONDS: gemsoakd for SECONDS against a model of its own.
run() {
	mkdir -p "$1"
	model_start "$1"
	echo "$model_pid" > "$1/model.pid"
	model_pair_conf "$1/test.conf" "$1" "$2"
	set +e
	model_env "$GEMSOAKD" -c "$1/test.conf" --database "$1/gs.db" --duration "${3}s" > "$1/daemon.log" 2>&1
	echo $? > "$1/status"
	set -e
	model_stop
	rm -f "$1/model.pid"
}

# The two runs are independent: side by side.
( run "$out/on" "probe = 15s" 140 ) > "$out/on.out" 2>&1 &
on_pid=$!
( run "$out/off" "probe = no" 140 ) > "$out/off.out" 2>&1 &
off_pid=$!

# ---- meanwhile, a reload, the leak guard and the stop during pauses ----
# (probe = 4s; the guard steered through its meminfo file)
d=$out/reload
mkdir -p "$d"
model_start "$d"
echo "$model_pid" > "$d/model.pid"
model_set_available "$d" 3000000
model_pair_conf "$d/test.conf" "$d" "probe = 4s
memory_floor = 100M
memory_resume = 200M
meminfo = $d/meminfo"
model_daemon "$d/daemon.log" -c "$d/test.conf" --database "$d/gs.db"
wait_line "$d/daemon.log" "probe-pause: workload flink-share paused" 30
# flink-share's rate changes: the reload restarts it, which ends its pause.
sed -i 's/^rate = 100$/rate = 90/;/^\[workload canary\]/,$s/^rate = 90$/rate = 100/' "$d/test.conf"
kill -HUP "$daemon"
wait_line "$d/daemon.log" "config-reloaded" 30
wait_line "$d/daemon.log" "pause of workload flink-share ends.*stopped or restarted" 30
# The guard stops the workloads during the canary's pause: the pause ends;
# once memory is back they start again and the probe goes on.
wait_line "$d/daemon.log" "probe-pause: workload canary paused" 30
model_set_available "$d" 50000
wait_line "$d/daemon.log" "pause of workload canary ends.*stopped or restarted" 30
model_set_available "$d" 3000000
wait_line "$d/daemon.log" "leak-guard-resume" 30
i=0
until sed -n '/leak-guard-resume/,$p' "$d/daemon.log" | grep -q "probe-pause: workload"; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$d/daemon.log"; fail "reload run: no pause after the guard's resume"; }
	sleep 0.1
done
stop_daemon
[ "$rc" = 0 ] || { cat "$d/daemon.log"; fail "reload run: gemsoakd exited $rc on SIGTERM during a pause"; }
model_stop
rm -f "$d/model.pid"
db=$d/gs.db
cat "$d/daemon.log"
assert_true "$db" "select count(*) >= 3 from probe_pauses" "reload run: pauses recorded"
assert_sql "$db" "select count(*) from probe_pauses where t_end is null" 0 "reload run: every pause closed (the reload's, the guard's, the stop's)"
assert_true "$db" "select count(*) >= 1 from events where kind = 'leak-guard'" "reload run: the guard stopped the workloads"
assert_sql "$db" "select count(*) from events where kind in ('worker-hang', 'worker-exit')" 0 "reload run: no worker hung or dead"
grep -q "continued after .*: the daemon stops" "$d/daemon.log" || fail "reload run: the pause under way at SIGTERM not ended by the stop"
echo "reload run: $(sql "$db" "select count(*) from probe_pauses") pause(s), lengths $(sql "$db" "select group_concat(workload || ' ' || round(t_end - t_start, 1) || ' s', ', ') from probe_pauses"): the first cut by the reload, the canary's by the guard, the last by the stop"

wait $on_pid || { cat "$out/on.out"; fail "the probe run failed"; }
wait $off_pid || { cat "$out/off.out"; fail "the run without the probe failed"; }
for r in on off; do
	cat "$out/$r/daemon.log"
	[ "$(cat "$out/$r/status")" = 0 ] || fail "$r: gemsoakd exited $(cat "$out/$r/status")"
done

# ---- probe on ----
db=$out/on/gs.db
sqlite3 -box "$db" "select workload, round(t_start - (select started from runs), 1) as start_s,
	round(t_end - t_start, 1) as length_s from probe_pauses order by t_start"
assert_true "$db" "select count(*) >= 2 from probe_pauses where workload = 'flink-share'" "probe: flink-share paused"
assert_true "$db" "select count(*) >= 2 from probe_pauses where workload = 'canary'" "probe: the canary paused"
assert_sql "$db" "select count(*) from probe_pauses where t_end is null" 0 "probe: every pause closed"
assert_sql "$db" "select count(*) from events where kind = 'probe-pause'" "$(sql "$db" "select count(*) from probe_pauses")" "probe: an event per pause"
assert_sql "$db" "select count(*) from events where kind in ('worker-hang', 'worker-exit', 'worker-restart')" 0 "probe: no worker taken for hung or dead"
# The cycles of a workload over the rounds inside each of its pauses:
# flat for the paused one, advancing for the other.
inside="k.t > p.t_start and k.t < p.t_end"
cycles_during() { # WHO (paused|other): the least and the most a pause saw
	if [ "$1" = paused ]; then cond="m.name = 'workload.' || p.workload || '.cycles'"
	else cond="m.name <> 'workload.' || p.workload || '.cycles' and m.name glob 'workload.*.cycles'"; fi
	sql "$db" "select cast(min(d) as integer), cast(max(d) as integer), count(*) from (select p.workload, p.t_start, max(s.value) - min(s.value) as d,
		count(*) as n from probe_pauses p join ticks k on $inside join samples s on s.tick_id = k.id
		join metrics m on m.id = s.metric_id where $cond group by p.workload, p.t_start having n >= 3)"
}
paused=$(cycles_during paused)
other=$(cycles_during other)
echo "probe: cycles gained by the paused workload within its pauses (min|max|pauses): $paused; by the other one: $other"
[ "${paused%%|*}" = 0 ] && [ "$(echo "$paused" | cut -d'|' -f2)" = 0 ] || fail "probe: a paused workload's cycles advanced during its pause ($paused)"
[ "$(echo "$paused" | cut -d'|' -f3)" -ge 4 ] || fail "probe: fewer than 4 pauses with 3 rounds inside ($paused)"
[ "${other%%|*}" -gt 100 ] || fail "probe: the other workload did not run during a pause ($other)"
row=$(sql "$db" "select verdict, workload, attribution, slope_per_kcycle_workload from leak_trends where metric = 'gem.flink_names'")
echo "probe: gem.flink_names verdict|workload|attribution|per 1000 workload cycles: $row"
assert_sql "$db" "select verdict from leak_trends where metric = 'gem.flink_names'" leaking "probe: the canary's names leak"

# ---- probe off: the negative control ----
db=$out/off/gs.db
assert_sql "$db" "select count(*) from probe_pauses" 0 "no probe: no pause"
assert_sql "$db" "select count(*) from events where kind = 'probe-pause'" 0 "no probe: no pause event"
off_row=$(sql "$db" "select verdict, coalesce(workload, '-'), attribution from leak_trends where metric = 'gem.flink_names'")
echo "no probe: gem.flink_names verdict|workload|attribution: $off_row"
assert_sql "$db" "select verdict from leak_trends where metric = 'gem.flink_names'" leaking "no probe: the canary's names leak"
assert_true "$db" "select attribution = 'ambiguous' and workload is null or attribution = 'regression' and workload = 'canary'
	from leak_trends where metric = 'gem.flink_names'" "no probe: ambiguous (or separated by regression), never another method"

# ---- attribution by the probe (leak_trends reading probe_pauses) ----
assert_sql "$out/on/gs.db" "select attribution || ' ' || workload from leak_trends where metric = 'gem.flink_names'" \
	"probe canary" "probe: attribution = 'probe' names the canary"
# A merged copy keeps the pauses, so the same attribution.
"$TOP/build/gemsoak" merge "$out/merged.db" "$out/on/gs.db" > /dev/null || fail "merge of the probe run failed"
assert_sql "$out/merged.db" "select count(*) from probe_pauses" "$(sql "$out/on/gs.db" "select count(*) from probe_pauses")" "merge: every pause copied"
assert_sql "$out/merged.db" "select attribution || ' ' || workload from leak_trends where metric = 'gem.flink_names'" \
	"probe canary" "merge: the same attribution"
echo "probe: attribution $(sql "$out/on/gs.db" "select attribution || ' ' || workload || ' ' || slope_per_kcycle_workload from leak_trends where metric = 'gem.flink_names'") per 1000 of its cycles; without the probe $off_row"
