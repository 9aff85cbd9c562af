#!/bin/sh
# The CLI's conventions (gemsoak(1)): --version, help, a command group alone,
# -D on every command that reads a database (anomalies' old -d warns and
# still works), every message prefixed with its command, the exit status
# table, kernel check --behaviour without a device, the CLI linking none of
# the daemon's config reader, and `status` telling a live daemon (pid, lock)
# from a stopped one and from one killed by SIGKILL (gemsoakd against the
# kernel model).
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/cli-conventions
rm -rf "$out"
mkdir -p "$out"
GS=${GS:-$TOP/build/gemsoak}
daemon=
trap 'if [ -n "$daemon" ]; then kill -KILL "$daemon" 2>/dev/null || true; fi; model_stop' EXIT
build/gemsoak-synth --db "$out/a.db" --preset demo --host lab-a > /dev/null

EXPECT_DIR=$out
# expect_err STATUS PREFIX PATTERN CMD...: the exit status, and stderr's
# first line starts with "PREFIX: " and matches PATTERN.
expect_err() {
	want=$1 prefix=$2 pattern=$3
	shift 3
	ERR=$out/err run_rc "$@" > "$out/out"
	first=$(head -n 1 "$out/err")
	[ "$rc" = "$want" ] || { cat "$out/out" "$out/err"; fail "$*: exit $rc, expected $want"; }
	case $first in
	"$prefix: "*) ;;
	*) fail "$*: the message '$first' does not start with '$prefix: '" ;;
	esac
	echo "$first" | grep -Eq -- "$pattern" || fail "$*: '$first' does not match '$pattern'"
}

# --version, help, help COMMAND, a group alone.
expect 0 "^gemsoak $(sed -n 's/^VERSION *:= *//p' Makefile)\$" "$GS" --version
expect 0 '^  anomalies ' "$GS" help
expect 0 '^usage: gemsoak trends ' "$GS" help trends
expect 0 '^usage: gemsoak kernel check ' "$GS" help kernel check
expect 0 '^  kernel apply ' "$GS" help kernel
expect_err 2 'gemsoak help' "unknown command 'frob'" "$GS" help frob
ERR=$out/err run_rc "$GS" kernel > "$out/out"
[ $rc = 2 ] && grep -q '^  kernel check ' "$out/err" && grep -q '^  kernel apply ' "$out/err" ||
	fail "gemsoak kernel alone: exit $rc, $(cat "$out/err")"
expect 0 '^  kernel check ' "$GS" kernel --help
expect_err 2 'gemsoak kernel' "unknown command 'frob'" "$GS" kernel frob
expect_err 2 gemsoak "unknown command 'frob'" "$GS" frob
echo "ok: --version, help, help COMMAND, gemsoak kernel alone"

# Every command that reads a database takes -D and names it in its help;
# help lists exactly the commands gemsoak(1) and gemsoak-kernel(1) describe.
cmds=$($GS help | sed -n 's/^  \([a-z][a-z]*\( [a-z][a-z]*\)\?\)  .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -ge 11 ] || fail "help lists $(echo "$cmds" | wc -l) commands: $cmds"
echo "$cmds" | while read -r c; do
	# shellcheck disable=SC2086 # two-word commands are two words
	$GS help $c > "$out/help" || fail "help $c"
	case $c in
	kernel*) page=docs/man/gemsoak-kernel.1 ;;
	*) page=docs/man/gemsoak.1 ;;
	esac
	grep -q "^\.B \(gemsoak \)\?$c\b" "$page" || fail "$c is not in $page"
	case $c in
	merge | kernel*) ! grep -q -- '-D, --db' "$out/help" || fail "$c takes -D" ;;
	*) grep -q -- '^  -D, --db FILE' "$out/help" || fail "$c has no -D in its help" ;;
	esac
	grep -q '^Exit status: 0 ' "$out/help" || fail "$c: no exit status in its help"
done
for c in status trends events anomalies runs; do
	ERR=$out/err run_rc "$GS" $c -D "$out/a.db" > /dev/null
	[ $rc -le 1 ] || fail "$c -D: exit $rc, $(cat "$out/err")"
done
echo "ok: -D on every database command; commands in gemsoak(1): $(echo "$cmds" | tr '\n' ',')"

# anomalies -d: the same output as -D, with a deprecation warning.
$GS anomalies -D "$out/a.db" > "$out/new.out" 2> "$out/new.err" || true
ERR=$out/err run_rc "$GS" anomalies -d "$out/a.db" > "$out/old.out"
cmp -s "$out/new.out" "$out/old.out" || fail "anomalies -d and -D differ"
[ ! -s "$out/new.err" ] || fail "anomalies -D warned: $(cat "$out/new.err")"
grep -q '^gemsoak anomalies: warning: -d/--database is deprecated .*use -D/--db' "$out/err" ||
	fail "anomalies -d: no deprecation warning ($(cat "$out/err"))"
echo "ok: anomalies -d = -D ($(wc -l < "$out/new.out") lines), warns: $(cat "$out/err")"

# The exit status table: 0 none, 1 found, 2 error, for the checks.
expect 1 '^gem.flink_names +leaking' "$GS" trends -D "$out/a.db" --run 1
expect 0 '^gem.flink_names +stable' "$GS" trends -D "$out/a.db" --run 2
expect 1 'new leak' "$GS" compare -D "$out/a.db" 2 1
expect 0 'fixed' "$GS" compare -D "$out/a.db" 1 2
cp "$out/a.db" "$out/clean.db"
sqlite3 "$out/clean.db" "delete from events where message like '%killed by signal%'"
expect 0 '^no anomalies$' "$GS" anomalies -D "$out/clean.db"
expect 1 '^run 2  hour 1  canary  worker-exit  1$' "$GS" anomalies -D "$out/a.db" --run 2
sqlite3 "$out/a.db" "insert into events(run_id, t, severity, source, kind, message)
	select 1, started + 10, 'err', 'workload flink-share', 'promise', 'a broken promise' from runs where id = 1" 2> "$out/ins.err" ||
	fail "cannot add an anomaly: $(cat "$out/ins.err")"
expect 1 '^run 1  hour 0  flink-share  promise  1$' "$GS" anomalies -D "$out/a.db"
grep -q '  a broken promise$' "$out/out" || fail "anomalies: the message is not shown"

# Every message names its command; every error exits 2.
for c in status trends events anomalies runs; do
	expect_err 2 "gemsoak $c" 'missing.db: No such file' "$GS" $c -D "$out/missing.db"
	expect_err 2 "gemsoak $c" "unknown option '--frob'" "$GS" $c --frob
	expect_err 2 "gemsoak $c" "option '-D' needs an argument" "$GS" $c -D
done
expect_err 2 'gemsoak trends' 'run 99 is not in the database' "$GS" trends -D "$out/a.db" --run 99
expect_err 2 'gemsoak trends' "--run: 'x' is not a run number" "$GS" trends -D "$out/a.db" --run x
expect_err 2 'gemsoak anomalies' 'run 99 is not in the database' "$GS" anomalies -D "$out/a.db" --run 99
expect_err 2 'gemsoak anomalies' "--last: 'x' is not a count" "$GS" anomalies -D "$out/a.db" --last x
expect_err 2 'gemsoak events' "--since: 'x' is neither" "$GS" events -D "$out/a.db" --since x
expect_err 2 'gemsoak compare' 'RUN_A RUN_B expected, 1 given' "$GS" compare -D "$out/a.db" 1
expect_err 2 'gemsoak report' '--out FILE.html is needed' "$GS" report -D "$out/a.db"
expect_err 2 'gemsoak export' '--prometheus DIR is needed' "$GS" export -D "$out/a.db"
expect_err 2 'gemsoak export' "--every: 'x' is not a duration" "$GS" export -D "$out/a.db" --prometheus "$out" --every x
expect_err 2 'gemsoak merge' 'OUT.db IN.db... expected, 1 given' "$GS" merge "$out/m.db"
expect_err 2 'gemsoak kernel check' 'give exactly one of --tree DIR and --running' "$GS" kernel check
expect_err 2 'gemsoak kernel check' "--seconds: 'x'" "$GS" kernel check --running --seconds x
expect_err 2 'gemsoak kernel apply' '--tree DIR is needed' "$GS" kernel apply
expect_err 2 'gemsoak kernel check' 'series' "$GS" kernel check --running --series "$out/missing-series"
echo "ok: every message names its command, every error exits 2"

# kernel check --behaviour without a device: the probes cannot run, so the
# fixes that have one are unknown (exit 1); without --behaviour the release
# decides them.
probes=$(grep -c '^[[:space:]]*probe ' kernel/series || true)
[ "$probes" -gt 0 ] || fail "kernel/series names no probe"
ERR=$out/err run_rc "$GS" kernel check --running --behaviour --device "$out/no-such-card" --series kernel/series > "$out/kb.out"
unknown=$(grep -c ' unknown .*behaviour not run' "$out/kb.out" || true)
[ $rc = 1 ] && [ "$unknown" -ge 1 ] || { cat "$out/kb.out" "$out/err"; fail "kernel check --behaviour without a device: exit $rc, $unknown unknown"; }
! grep ' present .*behaviour not run' "$out/kb.out" || fail "a fix whose probe did not run is present"
$GS kernel check --running --series kernel/series > "$out/k.out" || true
knotrun=$(grep -c 'behaviour' "$out/k.out" || true)
[ "$knotrun" = 0 ] || fail "kernel check --running without --behaviour mentions behaviour"
echo "ok: kernel check --behaviour without a device: $unknown fix(es) unknown, exit 1 ($(grep '^summary' "$out/kb.out"))"

# The CLI links none of the daemon's own code: nothing of daemon/*.o, no
# workload registry.
syms=$(for o in build/obj/daemon/*.o build/obj/workloads/registry.o; do nm --defined-only "$o" | awk '$2 == "T" && $3 != "main" { print $3 }'; done | sort -u)
linked=$(nm --defined-only build/gemsoak | awk '$2 == "T" { print $3 }' | sort -u | comm -12 - "$(printf '%s\n' "$syms" > "$out/syms"; echo "$out/syms")")
[ -z "$linked" ] || fail "the CLI links the daemon's functions: $(echo "$linked" | tr "\n" " ")"
! grep -q '"daemon/' cli/*.c cli/*.h || fail "cli/ includes daemon/ headers: $(grep -l '"daemon/' cli/*.[ch])"
echo "ok: the CLI links none of $(echo "$syms" | wc -l) daemon/registry functions"

# (The default database without -D: tests/unit/test-defaults.c.)

# --json and --csv (gemsoak(1), JSON AND CSV OUTPUT): one JSON object with
# format_version 1 and the command's name; its main array has as many rows
# as the CSV (after its header), the first column alike; the exit status is the
# table's. A message with a comma and quotes survives both.
sqlite3 "$out/a.db" "insert into events(run_id, t, severity, source, kind, message)
	select 2, started + 20, 'warning', 'daemon', 'note', 'a, \"quoted\" message' from runs where id = 2"
# check_formats MAIN_KEY CMD ARGS...
check_formats() {
	key=$1
	shift
	ERR=$out/err run_rc "$GS" "$@" > "$out/table"
	table_rc=$rc
	ERR=$out/err run_rc "$GS" "$@" --json > "$out/json"
	[ $rc = $table_rc ] || fail "$* --json: exit $rc, the table's $table_rc"
	ERR=$out/err run_rc "$GS" "$@" --csv > "$out/csv"
	[ $rc = $table_rc ] || fail "$* --csv: exit $rc, the table's $table_rc"
	python3 - "$out/json" "$out/csv" "$key" "$1" > "$out/formats" <<'PY' || fail "$* --json/--csv: $(cat "$out/formats")"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format_version"] == 1, doc.get("format_version")
assert doc["command"] == sys.argv[4], doc.get("command")
rows = doc[sys.argv[3]]
with open(sys.argv[2], newline="") as f:
    table = list(csv.reader(f))
assert table and table[0] == list(rows[0].keys() if rows else table[0]), (table[0], rows[:1])
assert len(table) - 1 == len(rows), (len(table) - 1, len(rows))
for r, line in zip(rows, table[1:]):
    first = next(iter(r.values()))
    assert str(first if first is not None else "") == line[0], (first, line[0])
print(len(rows))
PY
	n=$(cat "$out/formats")
	[ "$(tail -n +2 "$out/csv" | grep -c '')" -ge "$n" ] || fail "$*: CSV lines"
	echo "$* --json/--csv: $n $key row(s), exit $table_rc"
}
{
	check_formats metrics status -D "$out/a.db"
	check_formats metrics trends -D "$out/a.db" --run 1
	check_formats metrics trends -D "$out/a.db" --run 2
	check_formats events events -D "$out/a.db"
	check_formats per_hour anomalies -D "$out/a.db"
	check_formats per_hour anomalies -D "$out/clean.db"
	check_formats runs runs -D "$out/a.db"
	check_formats metrics compare -D "$out/a.db" 2 1
	check_formats metrics compare -D "$out/a.db" 1 2
} > "$out/formats.log"
cat "$out/formats.log"
grep -q '^trends -D .* --run 1 --json/--csv: [1-9][0-9]* metrics row(s), exit 1$' "$out/formats.log" || fail "trends --run 1: not exit 1"
$GS trends -D "$out/a.db" --run 1 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = {r["metric"]: r for r in d["metrics"]}
assert d["run"] == 1 and d["leaking"] == 1, (d["run"], d["leaking"])
assert m["gem.flink_names"]["verdict"] == "leaking", m["gem.flink_names"]
assert abs(m["gem.flink_names"]["floor_per_kcycle"] - 1) < 0.01, m["gem.flink_names"]
assert isinstance(d["daemon_metrics"], list)
' || fail "trends --json: the leak of run 1"
$GS events -D "$out/a.db" --csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
assert any(r["message"] == "a, \"quoted\" message" for r in rows), [r["message"] for r in rows]
' || fail "events --csv: a message with a comma and quotes"
$GS events -D "$out/a.db" --json | python3 -c '
import json, sys
assert any(r["message"] == "a, \"quoted\" message" for r in json.load(sys.stdin)["events"])
' || fail "events --json: a message with a comma and quotes"
expect_err 2 'gemsoak runs' '--json and --csv: one or the other' "$GS" runs -D "$out/a.db" --json --csv
expect_err 2 'gemsoak report' "unknown option '--json'" "$GS" report -D "$out/a.db" --out "$out/r.html" --json
echo "ok: --json and --csv on status, trends, events, anomalies, runs, compare"

# status: alive (pid and lock), stopped, crashed, against the kernel model.
model_start "$out"
model_flink_conf "$out/test.conf" "$out"
start() {
	# The log goes first: the background shell truncates it only later, and
	# the wait below must not see the previous daemon's 'ready:'.
	rm -f "$out/gs.db"* "$out/daemon.log"
	# Not through model_env: $! must be gemsoakd itself, not a subshell.
	GS_MODEL_SOCKET=$out/sock GS_MODEL_DEV=$out/card0 LD_PRELOAD=$MODEL_SHIM \
		"$GEMSOAKD" -c "$out/test.conf" --database "$out/gs.db" --duration 60s > "$out/daemon.log" 2>&1 &
	daemon=$!
	i=0
	until grep -q 'ready:' "$out/daemon.log" 2> /dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || { cat "$out/daemon.log"; fail "the daemon did not start"; }
		sleep 0.1
	done
}
start
expect 0 "^daemon: alive, pid $daemon \(it holds the database's lock\)" "$GS" status -D "$out/gs.db"
alive=$(head -n 1 "$out/out")
# Another user sees the lock, not the pid (root's /proc/PID/fd is closed to it).
if command -v setpriv > /dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2> /dev/null; then
	expect 0 "^daemon: alive \(a process holds the database's lock; its pid is not visible to this user\)" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$GS" status -D "$out/gs.db"
	echo "ok: status as another user: $(head -n 1 "$out/out")"
fi
expect 0 "\"daemon\":\"alive\",\"daemon_pid\":$daemon," "$GS" status -D "$out/gs.db" --json
kill -TERM "$daemon"
wait "$daemon" || fail "gemsoakd: exit $? after SIGTERM"
daemon=
expect 0 '^daemon: stopped \(the run recorded its stop at ' "$GS" status -D "$out/gs.db"
stopped=$(head -n 1 "$out/out")
start
# Its workers share the lock's open file until their start closes what
# they inherited, and die with it (PR_SET_PDEATHSIG): on a loaded host a
# worker forked just before the kill still holds it for a moment.
workers=$(pgrep -P "$daemon" || true)
kill -KILL "$daemon"
wait "$daemon" 2>/dev/null || true
daemon=
for w in $workers; do
	i=0
	# gone, or a zombie (its files closed) that no init reaped yet
	while [ -d "/proc/$w" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$w/status" 2> /dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "worker $w outlived its killed daemon by 10 s"
		sleep 0.1
	done
done
expect 3 "^daemon: crashed or killed \(the run has no stop and no process holds the database's lock" "$GS" status -D "$out/gs.db"
crashed=$(head -n 1 "$out/out")
expect 3 '"daemon":"crashed","daemon_pid":null,' "$GS" status -D "$out/gs.db" --json
# A run of another host (a merged database) cannot be told from here.
cp "$out/a.db" "$out/other.db"
sqlite3 "$out/other.db" "update runs set stopped = null"
expect 0 "^daemon: unknown \(the run was recorded on lab-a, this is $(hostname)\)" "$GS" status -D "$out/other.db"
sqlite3 "$out/other.db" "update runs set hostname = '$(hostname)'"
expect 3 '^daemon: crashed or killed ' "$GS" status -D "$out/other.db"
echo "ok: status: $alive; $stopped; $crashed (exit 3)"

# status --watch: the status again and again until interrupted, then exit 0
# (here: SIGINT once it has printed it twice).
$GS status -D "$out/other.db" --watch > "$out/watch" 2>&1 &
w=$!
i=0
until [ "$(grep -c '^every 2 s: gemsoak status' "$out/watch")" -ge 2 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || { kill $w; fail "status --watch: not printed twice in 30 s"; }
	sleep 0.1
done
kill -INT $w
set +e
wait $w
rc=$?
set -e
[ $rc = 0 ] || fail "status --watch: exit $rc after SIGINT"
[ "$(grep -c '^daemon: crashed or killed' "$out/watch")" -ge 2 ] || fail "status --watch: the status is not in every refresh"
echo "ok: status --watch: $(grep -c '^every 2 s' "$out/watch") refreshes, exit 0 on SIGINT"
echo "ok"
