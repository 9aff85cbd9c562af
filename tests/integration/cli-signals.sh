#!/bin/sh
# The CLI's long-running commands and what ends them:
#  - status --watch whose output is gone (a pipe closed, SIGPIPE ignored
#    as a service manager may leave it): it stops with exit 2, saying so.
set -eu
. tests/lib.sh
make -s all
d=$TOP/build/tests/cli-signals
rm -rf "$d"
mkdir -p "$d/prom"
GS=$TOP/build/gemsoak
build/gemsoak-synth --db "$d/a.db" --preset demo --host lab-a > /dev/null

# status --watch into a pipe its reader closed after one line. timeout is
# a hang detector (the command loops for ever when it misses the error).
(trap '' PIPE; set +e; timeout 60 "$GS" status --db "$d/a.db" --watch 2> "$d/watch.err"; echo $? > "$d/watch.rc") | head -n 1 > /dev/null
rc=$(cat "$d/watch.rc")
echo "status --watch into a closed pipe: exit $rc: $(cat "$d/watch.err")"
[ "$rc" = 2 ] || fail "status --watch with its output gone: exit $rc, expected 2 (124: it never stopped)"
grep -q 'standard output: Broken pipe' "$d/watch.err" || fail "status --watch: the closed output not said"

