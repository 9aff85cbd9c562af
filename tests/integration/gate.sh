#!/bin/sh
# gemsoak gate, the CI verdict, on labelled series (gemsoak-synth): a run
# with a leak fails (1), the same kernel fixed and without anomalies passes
# (0), a worker killed by a signal fails it again, a run too short for its
# verdicts is neither (77), and a growing daemon footprint never fails the
# gate. The JUnit file parses and holds one testcase per assessed metric
# and per workload, with the figures.
set -eu
. tests/lib.sh
GS=$TOP/build/gemsoak
d=$TOP/build/tests/gate
rm -rf "$d"
mkdir -p "$d"
db=$d/gs.db
build/gemsoak-synth --db "$db" --preset demo > /dev/null

# junit_check FILE TESTS FAILURES SKIPPED: parse the XML, compare the totals.
junit_check() {
	python3 - "$@" <<'PY' || fail "junit $1"
import sys, xml.etree.ElementTree as ET
path, tests, failures, skipped = sys.argv[1], *map(int, sys.argv[2:])
root = ET.parse(path).getroot()
cases = root.findall('.//testcase')
got = (len(cases), sum(1 for c in cases if c.find('failure') is not None),
       sum(1 for c in cases if c.find('skipped') is not None))
attrs = (int(root.get('tests')), int(root.get('failures')), int(root.get('skipped')))
if got != (tests, failures, skipped) or attrs != got:
    sys.exit(f"{path}: testcases/failures/skipped {got}, attributes {attrs}, expected {(tests, failures, skipped)}")
print(f"{path}: {got[0]} testcases, {got[1]} failures, {got[2]} skipped")
PY
}

# Run 1: the leak (gem.flink_names grows 1 per 1000 cycles).
run_rc $GS gate -D "$db" --run 1 --junit "$d/leak.xml" > "$d/leak.out"
cat "$d/leak.out"
[ $rc = 1 ] || fail "leak: exit $rc, not 1"
grep -q '^FAIL *gem.flink_names: leaking: ' "$d/leak.out" || fail "leak: gem.flink_names not named"
grep -q '^gate: FAIL$' "$d/leak.out" || fail "leak: no FAIL line"
junit_check "$d/leak.xml" 4 2 0
python3 - "$d/leak.xml" <<'PY' || fail "leak.xml: the leak's testcase"
import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot().find(".//testcase[@name='gem.flink_names']")
f = c.find('failure')
assert f is not None and 'per 1000 cycles' in f.get('message'), ET.tostring(c)
PY

# Run 2: the fixed kernel; its one anomaly (a worker killed by SIGKILL)
# is a broken promise.
run_rc $GS gate -D "$db" --run 2 > "$d/fixed.out"
cat "$d/fixed.out"
[ $rc = 1 ] || fail "fixed with an anomaly: exit $rc, not 1"
grep -q '^FAIL *canary: 1 broken promise(s): worker-exit 1' "$d/fixed.out" || fail "fixed: the anomaly not named"
sql "$db" "delete from events where run_id = 2 and kind = 'worker-exit'"
run_rc $GS gate -D "$db" --run 2 --junit "$d/clean.xml" > "$d/clean.out"
cat "$d/clean.out"
[ $rc = 0 ] || fail "clean: exit $rc, not 0"
grep -q '^gate: PASS$' "$d/clean.out" || fail "clean: no PASS line"
junit_check "$d/clean.xml" 4 0 0

# The daemon's own footprint growing fast in the clean run: judged, never
# in the gate.
sql "$db" "insert into metrics(name, unit) values ('daemon.fds', '');
	insert into samples(metric_id, tick_id, value)
	select (select id from metrics where name = 'daemon.fds'), id, 1000 + 10 * (row_number() over (order by t))
	from ticks where run_id = 2"
assert_sql "$db" "select verdict from leak_trends where run_id = 2 and metric = 'daemon.fds'" leaking \
	"the grown daemon.fds"
run_rc $GS gate -D "$db" --run 2 > "$d/daemon.out"
[ $rc = 0 ] || fail "daemon footprint leaking: gate exit $rc, not 0"

# Too short to judge: every verdict needs more time than the run had.
sql "$db" "update trend_thresholds set min_span_s = 1e9"
run_rc $GS gate -D "$db" --run 2 --junit - > "$d/short.xml"
[ $rc = 77 ] || fail "too short: exit $rc, not 77"
junit_check "$d/short.xml" 4 0 3

# The LAVA test definition parses and calls lava/report.sh, which reports
# every testcase and the gate through lava-test-case (here a recorder of
# its arguments on PATH, as LAVA puts its own).
/usr/bin/python3 - lava/gemsoak-soak.yaml <<'PY' || fail "lava/gemsoak-soak.yaml"
import sys, yaml
y = yaml.safe_load(open(sys.argv[1]))
assert y['metadata']['format'] == 'Lava-Test Test Definition 1.0', y['metadata']
assert any('lava/report.sh' in s for s in y['run']['steps']), y['run']
assert {'DURATION', 'CONFIG', 'DB'} <= set(y['params']), y['params']
PY
mkdir -p "$d/bin"
printf '#!/bin/sh\necho "$*" >> %s\n' "$d/lava.log" > "$d/bin/lava-test-case"
chmod +x "$d/bin/lava-test-case"
PATH=$d/bin:$PATH GEMSOAK=$GS lava/report.sh --daemon-status 0 "$db" > /dev/null
PATH=$d/bin:$PATH GEMSOAK=$GS lava/report.sh --daemon-status 70 "$d/none.db" > /dev/null 2>&1
cat "$d/lava.log"
# the short run: gemsoakd, 3 metrics, 1 workload, the gate; no database: gemsoakd, the gate
[ "$(grep -c . "$d/lava.log")" = 8 ] || fail "lava: $(grep -c . "$d/lava.log") calls, not 8"
grep -qx 'gemsoakd --result pass' "$d/lava.log" && grep -qx 'gemsoakd --result fail' "$d/lava.log" || fail "lava: gemsoakd's status"
grep -qx 'trends-gem.flink_names --result skip' "$d/lava.log" || fail "lava: the short run's metric not skipped"
grep -qx 'promises-canary --result pass' "$d/lava.log" || fail "lava: the promises"
[ "$(grep -c '^gate --result' "$d/lava.log")" = 2 ] && grep -qx 'gate --result skip' "$d/lava.log" &&
	grep -q 'gate --result fail' "$d/lava.log" || fail "lava: the gate's results"

# Errors: no database, an unknown run.
ERR=$d/err run_rc $GS gate -D "$d/none.db"
[ $rc = 2 ] || fail "no database: exit $rc"
ERR=$d/err run_rc $GS gate -D "$db" --run 9
[ $rc = 2 ] && grep -q 9 "$d/err" || fail "unknown run: exit $rc ($(cat "$d/err"))"
echo "gate: leak 1, anomaly 1, clean 0, daemon footprint 0, too short 77, errors 2"
