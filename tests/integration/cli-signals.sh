#!/bin/sh
# The CLI's long-running commands and what ends them:
#  - status --watch whose output is gone (a pipe closed, SIGPIPE ignored
#    as a service manager may leave it): it stops with exit 2, saying so;
#  - export --every killed (SIGTERM) while a file is being written (its
#    rename held back by strace): the file is put in place, no temp file
#    is left, exit 0;
#  - export's start removes the temp files of an export killed outright
#    (untouched for a minute), not a fresh one another export may be
#    writing (the negative control);
#  - export --every 5000s waits 5000 s, not a clamped 4000.
set -eu
. tests/lib.sh
make -s all
command -v strace > /dev/null || fail "strace is needed (tools/packages.txt)"
d=$TOP/build/tests/cli-signals
rm -rf "$d"
mkdir -p "$d/prom"
GS=$TOP/build/gemsoak
build/gemsoak-synth --db "$d/a.db" --preset demo --host lab-a > /dev/null
pids=
# shellcheck disable=SC2154 # p is the trap's own variable
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; true' EXIT

# status --watch into a pipe its reader closed after one line. timeout is
# a hang detector (the command loops for ever when it misses the error).
(trap '' PIPE; set +e; timeout 60 "$GS" status --db "$d/a.db" --watch 2> "$d/watch.err"; echo $? > "$d/watch.rc") | head -n 1 > /dev/null
rc=$(cat "$d/watch.rc")
echo "status --watch into a closed pipe: exit $rc: $(cat "$d/watch.err")"
[ "$rc" = 2 ] || fail "status --watch with its output gone: exit $rc, expected 2 (124: it never stopped)"
grep -q 'standard output: Broken pipe' "$d/watch.err" || fail "status --watch: the closed output not said"

# export --every, SIGTERM while its rename is held back 3 s.
strace -f -qq -o "$d/strace.txt" -e trace=rename,renameat,renameat2 -e inject=rename,renameat,renameat2:delay_enter=3000000 \
	"$GS" export --db "$d/a.db" --prometheus "$d/prom" --every 1s 2> "$d/every.err" &
tracer=$!
pids="$tracer"
i=0
until ls "$d/prom"/.gemsoak.prom.* > /dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "export --every: no temp file within 30 s"; sleep 0.1
done
exporter=$(pgrep -P "$tracer")
kill -TERM "$exporter"
set +e
wait "$tracer"
rc=$?
set -e
pids=
left=$(ls -A "$d/prom" | tr '\n' ' ')
echo "export --every, SIGTERM during a write: exit $rc, left in the directory: $left"
[ "$rc" = 0 ] || { cat "$d/every.err"; fail "export --every after SIGTERM: exit $rc"; }
[ "$left" = "gemsoak.prom " ] || fail "export --every after SIGTERM: the directory holds '$left'"

# stale and fresh temp files
: > "$d/prom/.gemsoak.prom.ABCDEF"
touch -d '1 hour ago' "$d/prom/.gemsoak.prom.ABCDEF"
: > "$d/prom/.gemsoak.prom.GHIJKL"
"$GS" export --db "$d/a.db" --prometheus "$d/prom" > /dev/null 2> "$d/stale.err"
cat "$d/stale.err"
[ ! -e "$d/prom/.gemsoak.prom.ABCDEF" ] || fail "export: a stale temp file kept"
[ -e "$d/prom/.gemsoak.prom.GHIJKL" ] || fail "export: a fresh temp file (another export's) removed"
rm "$d/prom/.gemsoak.prom.GHIJKL"

# --every 5000s: the wait the exporter asks the kernel for.
strace -f -qq -o "$d/wait.txt" -e trace=rt_sigtimedwait,clock_nanosleep,nanosleep \
	"$GS" export --db "$d/a.db" --prometheus "$d/prom" --every 5000s 2> "$d/long.err" &
tracer=$!
pids="$tracer"
i=0
until grep -Eq 'tv_sec=[0-9]+' "$d/wait.txt" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "export --every 5000s: no wait within 30 s"; sleep 0.1
done
wait_s=$(grep -Eo 'tv_sec=[0-9]+' "$d/wait.txt" | head -n 1 | cut -d= -f2)
kill -TERM "$(pgrep -P "$tracer")"
set +e
wait "$tracer"
rc=$?
set -e
pids=
echo "export --every 5000s: waits $wait_s s; exit $rc after SIGTERM"
[ "$wait_s" = 5000 ] || fail "export --every 5000s waited $wait_s s"
[ "$rc" = 0 ] || fail "export --every 5000s: exit $rc after SIGTERM"
