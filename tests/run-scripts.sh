#!/bin/bash
# Run test scripts, JOBS at a time (default 1); each exits 0 (pass), 77
# (skip) or anything else (fail). A script named in ALONE runs with no
# other beside it: it loads both CPUs itself, or what it checks depends on
# the guest's speed. Prints one line per script as it ends, the slowest
# scripts and the wall time, and a closing count line. The output of each
# script is kept in build/tests/logs/NAME.log, and shown when it fails;
# the durations in build/tests/logs/times.txt.
# Scripts must not share files to run side by side: each writes under a
# directory of its own, and `make check` builds everything they make
# before they start.
set -u
logdir=build/tests/logs
mkdir -p "$logdir"
jobs=${JOBS:-1}
alone=" ${ALONE:-} "
pass=0 fail=0 skip=0 failed=""
: > "$logdir/times.txt"
declare -A started=() script_of=()
wall_start=$(date +%s)

# finish PID RC: account for the script PID ran.
finish() {
	local t=${script_of[$1]} rc=$2 log dur
	log="$logdir/$(echo "$t" | tr '/' '_').log"
	dur=$(( $(date +%s) - started[$1] ))
	unset "script_of[$1]"
	echo "$dur $t" >> "$logdir/times.txt"
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $t (${dur}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $t: $(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t (exit $rc, ${dur}s)"
	   # the script's own reason first: a long tail can be cut short
	   # where it is shown (a CI summary)
	   grep '^FAIL: ' "$log" | tail -n 3 | sed 's/^/    /'
	   echo "    last lines of $log:"
	   tail -n 40 "$log" | sed 's/^/    /' ;;
	esac
}

# reap: wait for one running script to end.
reap() {
	local pid rc
	wait -n -p pid
	rc=$?
	finish "$pid" "$rc"
}

for t in "$@"; do
	case $alone in
	*" $t "*) while [ ${#script_of[@]} -gt 0 ]; do reap; done ;;
	*) while [ ${#script_of[@]} -ge "$jobs" ]; do reap; done ;;
	esac
	"$t" > "$logdir/$(echo "$t" | tr '/' '_').log" 2>&1 &
	started[$!]=$(date +%s)
	script_of[$!]=$t
	case $alone in
	*" $t "*) reap ;;
	esac
done
while [ ${#script_of[@]} -gt 0 ]; do reap; done
echo "slowest scripts (s):"
sort -rn "$logdir/times.txt" | head -n 12 | sed 's/^/    /'
echo "wall time: $(( $(date +%s) - wall_start )) s for $# scripts, $jobs at a time"
echo "scripts: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
