#!/bin/sh
# display-server's `command =` against the kernel model: every process a
# cycle's command leaves in its process group (here a background sleep) is
# killed at the cycle's end, so none piles up while the workload runs and
# none is left after the daemon; the workload's cycles go on.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-x-restart
rm -rf "$out"
mkdir -p "$out"
# A sleep no other process runs: its argument carries this shell's pid.
mark=86399.$$
# left: the pids of the marked sleeps still running.
left() {
	pgrep -f "^sleep $mark\$" || true
}
# shellcheck disable=SC2154 # p is the trap's own variable
trap 'for p in $(left); do kill "$p"; done; model_stop' EXIT
model_start "$out"
conf=$out/test.conf
printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\n\n' "$out" "$out" > "$conf"
printf '[workload ds]\ntype = display-server\nrate = 10\ncommand = sleep %s & echo started\n' "$mark" >> "$conf"
set +e
model_env "$GEMSOAKD" -c "$conf" --database "$out/gs.db" --duration 4s > "$out/daemon.log" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$out/daemon.log"; fail "exit $rc"; }
cycles() {
	sql "$out/gs.db" "select cast(coalesce(max(last_value), 0) as integer) from leak_trends where metric = 'workload.$1.cycles'"
}
ds=$(cycles ds)
n=$(left | wc -l)
echo "display-server command: $ds cycles, $n process(es) the commands started left after the daemon"
[ "$ds" -gt 5 ] || fail "only $ds cycles"
[ "$n" = 0 ] || fail "$n orphan(s) of the restart command left"
echo "ok: no orphan of $ds restart commands"
