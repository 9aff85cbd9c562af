#!/bin/sh
# x-restart's `command =` against the kernel model: every process a cycle's
# command leaves in its process group (here a background sleep) is killed
# at the cycle's end, so none piles up while the workload runs and none is
# left after the daemon; the workload's cycles go on.
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
printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\n\n' "$out" "$out" > "$out/test.conf"
printf '[workload x]\ntype = x-restart\nrate = 10\ncommand = sleep %s & echo started\n' "$mark" >> "$out/test.conf"
set +e
model_env "$GEMSOAKD" -c "$out/test.conf" --database "$out/gs.db" --duration 4s > "$out/daemon.log" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$out/daemon.log"; fail "exit $rc"; }
cycles=$(sql "$out/gs.db" "select max(cycles) from ticks")
n=$(left | wc -l)
echo "x-restart command: $cycles cycles, $n process(es) the commands started left after the daemon"
[ "$cycles" -gt 5 ] || fail "only $cycles cycles"
[ "$n" = 0 ] || fail "$n orphan(s) of the restart command left"
echo "ok: no orphan of $cycles restart commands"
