#!/bin/sh
# gemsoak gate, the CI verdict, on labelled series (gemsoak-synth): a run
# with a leak fails (1), the same kernel fixed and without anomalies passes
# (0), a worker killed by a signal fails it again, a run too short for its
# verdicts is neither (77), and a growing daemon footprint never fails the
# gate. A run whose workload did no cycle, or fell below half its rate,
# fails whatever its metrics say; lateness never fails it. Anomalies the
# prune folded count as many as they stand for. The JUnit file
# parses and holds one testcase per finding (failing, its metrics in its
# output; where the run traced its objects' origin, the failure's text and
# a property say it, and where it did not, neither does), one per assessed metric (a leaking one its finding's detail)
# and, per workload, one for its promises and one for its work, with the
# figures in words (no exponent notation).
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

# run2_event DB SECONDS KIND MESSAGE: an event of the canary, SECONDS into run 2.
run2_event() {
	sql "$1" "insert into events(run_id, t, severity, source, kind, message)
		values (2, (select started + $2 from runs where id = 2), 'warning', 'workload canary', '$3', '$4')"
}

# Run 1: the leak (gem.flink_names grows 1 per 1000 cycles).
run_rc "$GS" gate -D "$db" --run 1 --junit "$d/leak.xml" > "$d/leak.out"
cat "$d/leak.out"
[ $rc = 1 ] || fail "leak: exit $rc, not 1"
grep -q '^FAIL *finding 1: the canary keeps 1 GEM name per 1,000 of its cycles$' "$d/leak.out" ||
	fail "leak: no finding for the canary"
grep -q '^LEAKING *gem.flink_names: leaking: 1 per 1000 cycles of canary, +1.8k/h, .*(finding 1)$' "$d/leak.out" ||
	fail "leak: gem.flink_names not named under its finding"
grep -q '^gate: FAIL$' "$d/leak.out" || fail "leak: no FAIL line"
junit_check "$d/leak.xml" 6 2 0
python3 - "$d/leak.xml" <<'PY' || fail "leak.xml: the finding's testcase"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
c = root.find(".//testcase[@name='1-gem.flink_names']")
f = c.find('failure')
assert f is not None and f.get('message').startswith('the canary keeps 1 GEM name'), ET.tostring(c)
assert 'metrics: gem.flink_names' in c.find('system-out').text, ET.tostring(c)
m = root.find(".//testcase[@name='gem.flink_names']")
assert m.find('failure') is None and '(finding 1)' in m.find('system-out').text, ET.tostring(m)
assert 'e+' not in ET.tostring(root, encoding='unicode'), 'exponent notation'
# the negative control of the origin below: none traced, none told
assert c.find('properties') is None and not (f.text or '').strip(), ET.tostring(c)
PY
! grep -q '^ *made ' "$d/leak.out" || fail "leak: a 'made at' line where no origin was traced"

# The same run with the canary's GEM objects traced (the origins source
# on a real kernel; synth records none): the finding says where they
# were made, in its FAIL lines and in its testcase's failure and property.
cp "$db" "$d/traced.db"
trace_canary "$d/traced.db" 1
run_rc "$GS" gate -D "$d/traced.db" --run 1 --junit "$d/traced.xml" > "$d/traced.out"
[ $rc = 1 ] || fail "traced: exit $rc, not 1"
made=$(sed -n 's/^ *\(made .*\)/\1/p' "$d/traced.out")
echo "traced: $made"
[ "$made" = 'made at drm_gem_object_init ← __drm_gem_shmem_create ← drm_gem_shmem_dumb_create ← drm_ioctl' ] ||
	{ cat "$d/traced.out"; fail "traced: the finding's FAIL lines do not say where its objects were made"; }
junit_check "$d/traced.xml" 6 2 0
python3 - "$d/traced.xml" <<'PY' || fail "traced.xml: the finding's origin"
import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot().find(".//testcase[@name='1-gem.flink_names']")
want = ('8 of the GEM objects alive at the end were made by canary at drm_gem_object_init'
        ' ← __drm_gem_shmem_create ← drm_gem_shmem_dumb_create ← drm_ioctl (dumb-buffer creation)')
f = c.find('failure')
assert f is not None and f.text == want, ET.tostring(c, encoding='unicode')
p = c.findall('properties/property')
assert [(x.get('name'), x.get('value')) for x in p] == [('origin', want)], ET.tostring(c, encoding='unicode')
print('traced.xml: failure and property origin:', f.text)
PY

# Run 2: the fixed kernel; its one anomaly (a worker killed by SIGKILL)
# is a broken promise.
run_rc "$GS" gate -D "$db" --run 2 > "$d/fixed.out"
cat "$d/fixed.out"
[ $rc = 1 ] || fail "fixed with an anomaly: exit $rc, not 1"
grep -q '^FAIL *canary: 1 broken promise(s): worker-exit 1' "$d/fixed.out" || fail "fixed: the anomaly not named"
sql "$db" "delete from events where run_id = 2 and kind = 'worker-exit'"
run_rc "$GS" gate -D "$db" --run 2 --junit "$d/clean.xml" > "$d/clean.out"
cat "$d/clean.out"
[ $rc = 0 ] || fail "clean: exit $rc, not 0"
grep -q '^gate: PASS$' "$d/clean.out" || fail "clean: no PASS line"
junit_check "$d/clean.xml" 5 0 0
grep -q '<testcase classname="gemsoak.work" name="canary" time="0"><system-out>3600000 cycles in 7200 s' "$d/clean.xml" ||
	fail "clean.xml: the canary's work"

# The same run, its workload without a cycle (workers that exit at start):
# its metrics still come out clean, the gate fails on the work. A copy, so
# that the clean run stays the negative control.
cp "$db" "$d/idle.db"
sql "$d/idle.db" "update samples set value = 0 where tick_id in (select id from ticks where run_id = 2)
	and metric_id = (select id from metrics where name = 'workload.canary.cycles');
	update ticks set cycles = 0 where run_id = 2;
	insert into events(run_id, t, severity, source, kind, message)
	select 2, t, 'warning', 'workload canary', 'worker-exit', 'process 0 exited with status 5; restarting the workload'
	from ticks where run_id = 2 limit 16"
idle_clean=$(sql "$d/idle.db" "select count(*) from leak_trends where run_id = 2 and scope = 'kernel' and verdict = 'stable'")
run_rc "$GS" gate -D "$d/idle.db" --run 2 --junit "$d/idle.xml" > "$d/idle.out"
cat "$d/idle.out"
[ $rc = 1 ] || fail "no work: exit $rc, not 1"
grep -q '^FAIL *canary: no work: 0 cycles in 7200 s, 16 worker exit(s)$' "$d/idle.out" || fail "no work: not said"
junit_check "$d/idle.xml" 5 1 0
grep -q '<testcase classname="gemsoak.work" name="canary" time="0"><failure type="no-work" message="no work: 0 cycles' \
	"$d/idle.xml" || fail "idle.xml: the no-work testcase"

# Below half its rate (the daemon's workload-below-rate event): too little work.
cp "$db" "$d/slow.db"
run2_event "$d/slow.db" 600 workload-below-rate '2.6 cycles/s over the last 12 rounds (120 s), below half its rate of 100'
run_rc "$GS" gate -D "$d/slow.db" --run 2 > "$d/slow.out"
cat "$d/slow.out"
[ $rc = 1 ] || fail "too little work: exit $rc, not 1"
grep -q '^FAIL *canary: too little work: 1 time(s) below half its rate; first: 2.6 cycles/s' "$d/slow.out" ||
	fail "too little work: not said"

# display-server: a display server that fails is an anomaly (fails); one killed
# after its timeout is late (said, never a failure).
cp "$db" "$d/late.db"
run2_event "$d/late.db" 600 client-timeout 'process 1: generation 4: client 0 of display :0 still running after 60 s; killed'
run_rc "$GS" gate -D "$d/late.db" --run 2 > "$d/late.out"
cat "$d/late.out"
[ $rc = 0 ] || fail "lateness: exit $rc, not 0"
grep -q '^LATE *canary: client-timeout 1 (timing, not a kernel promise)$' "$d/late.out" || fail "lateness: not said"
run2_event "$d/late.db" 700 server-failed "process 0: generation 5: ''Xorg'' exited with status 1 before it was ready"
run_rc "$GS" gate -D "$d/late.db" --run 2 > "$d/failed.out"
[ $rc = 1 ] && grep -q '^FAIL *canary: 1 broken promise(s): server-failed 1' "$d/failed.out" ||
	fail "server-failed: exit $rc, not counted"

# Anomalies folded by the daemon's prune (past retention, one row stands
# for its repeats): the gate counts what they stand for, not the rows.
cp "$db" "$d/folded.db"
sql "$d/folded.db" "insert into events(run_id, t, severity, source, kind, message, repeats)
	values (2, (select started + 900 from runs where id = 2), 'err', 'workload canary', 'promise', 'handle reused', 4980)"
run_rc "$GS" gate -D "$d/folded.db" --run 2 > "$d/folded.out"
folded=$(sed -n 's/^FAIL *canary: \([0-9]*\) broken promise.*/\1/p' "$d/folded.out")
[ $rc = 1 ] && [ "$folded" = 4980 ] || fail "folded anomalies: exit $rc, $folded counted, not 4980"
"$GS" events -D "$d/folded.db" --run 2 | grep -q 'handle reused (×4980)' || fail "events: the repeats not shown"

# The daemon's own footprint growing fast in the clean run: judged, never
# in the gate. Samples added to ticks judged already: the run's verdicts
# go with the edit, and the gate judges it again (and stores it).
sql "$db" "insert into metrics(name, unit) values ('daemon.fds', '');
	insert into samples(metric_id, tick_id, value)
	select (select id from metrics where name = 'daemon.fds'), id, 1000 + 10 * (row_number() over (order by t))
	from ticks where run_id = 2;
	delete from verdicts where run_id = 2"
run_rc "$GS" gate -D "$db" --run 2 > "$d/daemon.out"
[ $rc = 0 ] || fail "daemon footprint leaking: gate exit $rc, not 0"
assert_sql "$db" "select verdict from leak_trends where run_id = 2 and metric = 'daemon.fds'" leaking \
	"the grown daemon.fds"

# Too short to judge: every verdict needs more time than the run had.
sql "$db" "update trend_thresholds set min_span_s = 1e9"
run_rc "$GS" gate -D "$db" --run 2 --junit - > "$d/short.xml"
[ $rc = 77 ] || fail "too short: exit $rc, not 77"
junit_check "$d/short.xml" 5 0 3

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
PATH=$d/bin:$PATH GEMSOAK="$GS" lava/report.sh --daemon-status 0 "$db" > /dev/null
PATH=$d/bin:$PATH GEMSOAK="$GS" lava/report.sh --daemon-status 70 "$d/none.db" > /dev/null 2>&1
cat "$d/lava.log"
# the short run: gemsoakd, 3 metrics, 1 workload's promises and work, the gate; no database: gemsoakd, the gate
[ "$(grep -c . "$d/lava.log")" = 9 ] || fail "lava: $(grep -c . "$d/lava.log") calls, not 9"
grep -qx 'gemsoakd --result pass' "$d/lava.log" && grep -qx 'gemsoakd --result fail' "$d/lava.log" || fail "lava: gemsoakd's status"
grep -qx 'trends-gem.flink_names --result skip' "$d/lava.log" || fail "lava: the short run's metric not skipped"
grep -qx 'promises-canary --result pass' "$d/lava.log" && grep -qx 'work-canary --result pass' "$d/lava.log" ||
	fail "lava: the promises and the work"
[ "$(grep -c '^gate --result' "$d/lava.log")" = 2 ] && grep -qx 'gate --result skip' "$d/lava.log" &&
	grep -q 'gate --result fail' "$d/lava.log" || fail "lava: the gate's results"

# Errors: no database, an unknown run.
ERR=$d/err run_rc "$GS" gate -D "$d/none.db"
[ $rc = 2 ] || fail "no database: exit $rc"
ERR=$d/err run_rc "$GS" gate -D "$db" --run 9
[ $rc = 2 ] && grep -q 9 "$d/err" || fail "unknown run: exit $rc ($(cat "$d/err"))"
echo "gate: leak 1, anomaly 1, clean 0, no work 1 ($idle_clean kernel metrics stable at 0 cycles), too little work 1, late 0, server-failed 1, $folded folded anomalies 1, daemon footprint 0, too short 77, errors 2"
