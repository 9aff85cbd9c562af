#!/bin/sh
# bench/observe-model.sh ends every process it starts (hold-objects, the
# daemon, the model server): after a normal run, and when it is sent
# SIGTERM while hold-objects holds its objects. Each of its processes has
# its output directory in its command line, so pgrep -f finds what is left.
set -eu
. tests/lib.sh
make -s model all build/bench/hold-objects
out=$TOP/build/tests/bench-cleanup
rm -rf "$out"
mkdir -p "$out"
# Whatever a failing run left is ended here, by the pids found.
# shellcheck disable=SC2154 # p is the trap's own variable
trap 'p=$(pgrep -f -- "$out/" || true); [ -z "$p" ] || kill $p 2>/dev/null; true' EXIT

left() { # what is still running of the runs under $out
	pgrep -f -- "$out/" | tr '\n' ' ' || true
}

# A normal run of one load, short.
OBS_LOADS=1000 OBS_WARM=2 OBS_SECONDS=2 bench/observe-model.sh "$out/normal" > "$out/normal.txt" 2> "$out/normal.err" ||
	{ cat "$out/normal.err"; fail "observe-model.sh failed"; }
cat "$out/normal.txt"
grep -q '^obs-model 1000 ' "$out/normal.txt" || fail "no figure for the 1000-object load"
l=$(left)
echo "after a normal run, left running: ${l:-none}"
[ -z "$l" ] || fail "observe-model.sh left processes running: $l"

# SIGTERM while hold-objects holds its objects.
OBS_LOADS=1000 OBS_WARM=3 OBS_SECONDS=2 bench/observe-model.sh "$out/term" > "$out/term.txt" 2> "$out/term.err" &
script=$!
wait_line "$out/term/hold-1000.log" holding 60
kill -TERM $script
set +e
wait $script
rc=$?
set -e
l=$(left)
echo "after SIGTERM (exit $rc), left running: ${l:-none}"
[ "$rc" != 0 ] || fail "observe-model.sh exited 0 after SIGTERM"
[ -z "$l" ] || fail "observe-model.sh left processes running after SIGTERM: $l"
