#!/bin/sh
# display-server's `command =` against the kernel model: every process a
# cycle's command leaves in its process group (here a background sleep) is
# killed at the cycle's end, so none piles up while the workload runs and
# none is left after the daemon; the workload's cycles go on. Beside it, an
# old config's x-restart with `command =` still runs the same restarts,
# and the daemon logs one deprecation line naming its file and line and
# display-server (the new type's section, the negative control, gets none).
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
printf '[workload ds]\ntype = display-server\nrate = 10\ncommand = sleep %s & echo started\n\n' "$mark" >> "$conf"
printf '[workload old]\ntype = x-restart\nrate = 10\ncommand = sleep %s & echo started\n' "$mark" >> "$conf"
old_line=$(grep -n '^command' "$conf" | tail -1 | cut -d: -f1)
set +e
model_env "$GEMSOAKD" -c "$conf" --database "$out/gs.db" --duration 4s > "$out/daemon.log" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$out/daemon.log"; fail "exit $rc"; }
cycles() {
	sql "$out/gs.db" "select cast(coalesce(max(last_value), 0) as integer) from leak_trends where metric = 'workload.$1.cycles'"
}
ds=$(cycles ds)
old=$(cycles old)
n=$(left | wc -l)
echo "display-server command: $ds cycles; x-restart command (old config): $old cycles; $n process(es) the commands started left after the daemon"
[ "$ds" -gt 5 ] || fail "display-server: only $ds cycles"
[ "$old" -gt 5 ] || fail "x-restart with command: only $old cycles"
[ "$n" = 0 ] || fail "$n orphan(s) of the restart command left"
echo "ok: no orphan of $ds + $old restart commands"

grep 'deprecated' "$out/daemon.log" > "$out/deprecated" || true
cat "$out/deprecated"
[ "$(wc -l < "$out/deprecated")" = 1 ] || fail "$(wc -l < "$out/deprecated") deprecation lines, expected 1 (x-restart's)"
grep -qxF "$conf:$old_line: warning: x-restart with command is deprecated: use type = display-server" "$out/deprecated" ||
	fail "the deprecation line does not name $conf:$old_line and display-server"
echo "ok: one deprecation line, at $conf:$old_line"
