#!/bin/sh
# GEM memory per DRM client from fdinfo (sources/fdinfo.c), against the
# kernel model:
#  - with 6.5+'s memory keys (gs-model-server --fdinfo-memory): a canary
#    keeping one object per 20 of its cycles and a clean flink-share, and
#    gs-model-holder, a process that is no worker, keeping 16 objects of
#    64 KiB on a DRM file of its own. The canary's kept objects show as
#    GEM memory on a workload process's file (gem.client_bytes_by_workload
#    grows as gem.names_held_bytes does, leaking, held by a process); the
#    other process's 1 MiB is gem.client_bytes_by_other in every round;
#  - the negative control, 6.1's fdinfo (driver, client id, engines, no
#    drm-total-*): the source is unavailable, said once with the reason,
#    no gem.client_* metric, no error, gemsoakd exits 0.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s model all
out=$TOP/build/tests/model-fdinfo
rm -rf "$out"
mkdir -p "$out"
HOLDER=$TOP/build/tests/gs-model-holder
# shellcheck disable=SC2154 # p is the trap's own variable
trap 'for d in $out/memory $out/6.1; do for p in model holder; do [ -f "$d/$p.pid" ] && kill "$(cat "$d/$p.pid")" 2>/dev/null; done; done; true' EXIT

# run DIR SECONDS [SERVER ARGS]: the two workloads and the holder process
# against a model of their own for SECONDS.
run() {
	d=$1 secs=$2
	shift 2
	mkdir -p "$d"
	model_start "$d" "$@"
	echo "$model_pid" > "$d/model.pid"
	# env execs the holder, so $! is the holder itself (a shell function in
	# the background would be a subshell, and killing it would leave the
	# holder running)
	env GS_MODEL_SOCKET="$mdir/sock" GS_MODEL_DEV="$mdir/card0" LD_PRELOAD="$MODEL_SHIM" \
		"$HOLDER" "$d/card0" 16 65536 > "$d/holder.out" 2>&1 &
	echo $! > "$d/holder.pid"
	wait_line "$d/holder.out" "holding 16 objects" 30
	model_pair_conf "$d/test.conf" "$d"
	set +e
	model_env "$GEMSOAKD" -c "$d/test.conf" --database "$d/gs.db" --duration "${secs}s" > "$d/daemon.log" 2>&1
	echo $? > "$d/status"
	set -e
	kill "$(cat "$d/holder.pid")"
	rm -f "$d/holder.pid"
	model_stop
	rm -f "$d/model.pid"
}

( run "$out/memory" 70 --fdinfo-memory ) > "$out/memory.out" 2>&1 &
mem_pid=$!
( run "$out/6.1" 20 ) > "$out/6.1.out" 2>&1 &
old_pid=$!
wait $mem_pid || { cat "$out/memory.out"; fail "the run with fdinfo memory keys failed"; }
wait $old_pid || { cat "$out/6.1.out"; fail "the run with 6.1's fdinfo failed"; }
for r in memory 6.1; do
	cat "$out/$r/daemon.log"
	[ "$(cat "$out/$r/status")" = 0 ] || fail "$r: gemsoakd exited $(cat "$out/$r/status")"
done

# ---- 6.5+'s memory keys ----
db=$out/memory/gs.db
sqlite3 -box "$db" "select metric, verdict, holder, workload, last_value from leak_trends
	where metric glob 'gem.client*' or metric glob 'gem.clients*' or metric = 'gem.names_held_bytes' or metric = 'i915.object_bytes'"
assert_sql "$db" "select count(*) from events where source = 'sampler' and message like 'fdinfo%'" 0 "memory keys: the fdinfo source available throughout"
other=$(sql "$db" "select cast(min(s.value) as integer) || '|' || cast(max(s.value) as integer) || '|' || count(*) from samples s
	join metrics m on m.id = s.metric_id where m.name = 'gem.client_bytes_by_other'")
echo "memory keys: gem.client_bytes_by_other min|max|rounds: $other (the holder process: 16 x 64 KiB = 1048576)"
[ "$other" != "${other#1048576|1048576|}" ] || fail "memory keys: the other process's 1 MiB not seen in every round ($other)"
assert_true "$db" "select $(series gem.clients_by_other 'min(s.value)') >= 1" "memory keys: the holder's file counted as another process's"
wl=$(late_growth "$db" gem.client_bytes_by_workload)
names=$(late_growth "$db" gem.names_held_bytes)
echo "memory keys: growth from the third round to the last: gem.client_bytes_by_workload $wl, gem.names_held_bytes $names"
assert_true "$db" "select $names > 100 * 4096 and abs($wl - $names) <= 0.1 * $names" "memory keys: the canary's kept objects are on workload files (the same growth as the names with a handle)"
assert_sql "$db" "select verdict || ' ' || holder from leak_trends where metric = 'gem.client_bytes_by_workload'" "leaking process" "memory keys: GEM memory on workload files leaking, held by a process"
assert_true "$db" "select verdict <> 'leaking' from leak_trends where metric = 'gem.client_bytes_by_other'" "memory keys: the other process's memory not leaking"

# ---- 6.1's fdinfo: no memory keys ----
db=$out/6.1/gs.db
why=$(sql "$db" "select count(*) || '|' || group_concat(message) from events where kind = 'source-unavailable' and message like 'fdinfo%'")
echo "6.1 fdinfo: source-unavailable events for fdinfo: $why"
[ "${why%%|*}" = 1 ] || fail "6.1 fdinfo: the source's unavailability not said exactly once ($why)"
case $why in *"no drm-total-*/drm-shared-* keys"*) ;; *) fail "6.1 fdinfo: the reason does not name the missing keys ($why)" ;; esac
assert_sql "$db" "select count(*) from metrics where name glob 'gem.client*' or name glob 'gem.clients*' or name glob 'drm.fdinfo*'" 0 "6.1 fdinfo: no per-client metric recorded"
assert_sql "$db" "select count(*) from events where severity = 'err'" 0 "6.1 fdinfo: no error"
assert_true "$db" "select count(*) >= 15 from ticks" "6.1 fdinfo: sampling went on"
