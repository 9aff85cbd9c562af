#!/bin/sh
# Run test scripts one after another; each exits 0 (pass), 77 (skip) or
# anything else (fail). Prints one line per script and a closing count line.
# Output of a failing script is kept in build/tests/logs/NAME.log and shown.
set -u
logdir=build/tests/logs
mkdir -p "$logdir"
pass=0 fail=0 skip=0 failed=""
for t in "$@"; do
	name=$(echo "$t" | tr '/' '_')
	log="$logdir/$name.log"
	start=$(date +%s)
	"$t" >"$log" 2>&1
	rc=$?
	dur=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $t (${dur}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $t: $(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t (exit $rc, ${dur}s); last lines of $log:"
	   tail -n 40 "$log" | sed 's/^/    /' ;;
	esac
done
echo "scripts: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
