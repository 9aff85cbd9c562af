#!/bin/sh
# The gemsoak CLI, the canned queries (db/queries/), the Prometheus export
# and merge, on databases written through the real store by gemsoak-synth
# (two runs: gem.flink_names leaks 1 per 1000 cycles, then is fixed).
set -eu
. tests/lib.sh
d=build/tests/cli
rm -rf "$d"
mkdir -p "$d"
GS=${GS:-build/gemsoak}
build/gemsoak-synth --db "$d/a.db" --preset demo --host lab-a
build/gemsoak-synth --db "$d/b.db" --preset demo --host lab-b
db=$d/a.db

EXPECT_DIR=$d

expect 0 '^  trends ' "$GS" --help
for c in status trends events runs compare report export merge origins; do
	expect 0 "^usage: gemsoak $c" "$GS" $c --help
done

expect 0 '^run 2 on lab-a: kernel 6.1.0-fixed' "$GS" status --db "$db"
grep -Eq '^workload cycles: 3600000 total, 500.0 cycles/s' "$d/out" || fail "status: cycles/s"
grep -Eq '^gem.flink_names +[0-9.]+ +stable' "$d/out" || fail "status: latest value and verdict"

expect 1 '^gem.flink_names +leaking +(0\.999[0-9]*|1) +(0\.99[0-9]*|1|1\.00[0-9]*) +kcycle +canary +(0\.99[0-9]*|1|1\.00[0-9]*) ' "$GS" trends --db "$db" --run 1
grep -Eq '^1 metric\(s\) leaking' "$d/out" || fail "trends: leak count"
expect 0 '^gem.flink_names +stable' "$GS" trends --db "$db"
expect 0 '^mem.shmem_kb ' "$GS" trends --db "$db" --metric 'mem.*'
! grep -q '^gem' "$d/out" || fail "trends --metric: other metrics shown"

# A run no daemon judged (its verdicts gone, as in a database of an older
# gemsoak or one stopped before its last judgement): the CLI judges it with
# the engine, stores the verdicts where it may write (no history: judged
# after the fact), and judges in memory where it may not, the file left as
# it was. The same trends either way; a database judged up to date is not
# written.
"$GS" trends --db "$db" --run 1 --csv > "$d/judged.csv" || [ $? = 1 ]
cp "$db" "$d/stale.db"
sql "$d/stale.db" "delete from verdicts; delete from verdict_basis"
cp "$d/stale.db" "$d/stale-ro.db"
"$GS" trends --db "$d/stale.db" --run 1 --csv > "$d/stale.csv" || [ $? = 1 ]
cmp -s "$d/judged.csv" "$d/stale.csv" || { diff "$d/judged.csv" "$d/stale.csv" | head -5; fail "a run without verdicts: other trends"; }
assert_sql "$d/stale.db" "select count(distinct run_id) from verdicts" 2 "the CLI stored the verdicts of both runs"
assert_sql "$d/stale.db" "select count(*) from verdict_history" 0 "judged after the fact: no history"
if [ "$(id -u)" = 0 ]; then chown nobody "$d/stale-ro.db"; else chmod 444 "$d/stale-ro.db"; fi
"$GS" trends --db "$d/stale-ro.db" --run 1 --csv > "$d/stale-ro.csv" || [ $? = 1 ]
cmp -s "$d/judged.csv" "$d/stale-ro.csv" || { diff "$d/judged.csv" "$d/stale-ro.csv" | head -5; fail "read-only, without verdicts: other trends"; }
assert_sql "$d/stale-ro.db" "select count(*) from verdicts" 0 "judged in memory: the file not of this user untouched"
# a mark a judgement would overwrite stays
sql "$d/stale.db" "update verdicts set confidence = -1 where run_id = 1"
"$GS" runs --db "$d/stale.db" > /dev/null
assert_sql "$d/stale.db" "select count(*) = sum(confidence = -1) from verdicts where run_id = 1" 1 \
	"verdicts up to date: not judged again"
# A sample added by hand to a tick already judged leaves the run's last
# tick where it was, not its samples: the next reader judges the run again
# (the mark goes). The read just before, without it, is the control.
before=$(sql "$d/stale.db" "select samples from verdict_basis where run_id = 1")
sql "$d/stale.db" "insert into metrics(name, unit) values ('gem.by_hand', 'count');
	insert into samples select m.id, k.id, 7 from metrics m, ticks k where m.name = 'gem.by_hand'
		and k.id = (select min(id) from ticks where run_id = 1)"
"$GS" runs --db "$d/stale.db" > /dev/null
assert_sql "$d/stale.db" "select count(confidence = -1 or null) from verdicts where run_id = 1" 0 \
	"a sample added by hand: judged again"
after=$(sql "$d/stale.db" "select samples from verdict_basis where run_id = 1")
[ "$after" = $((before + 1)) ] || fail "a sample added by hand: judged on $after samples, had $before"
echo "a sample added by hand to a judged tick: run 1 judged again on $after samples (judged on $before before; not judged again without it)"
# A file of schema 12 (verdicts, no verdict_basis): never written by a
# reader, its runs judged in memory by this gemsoak, without the note
# that older files (before schema 9) keep their own method.
cp "$d/stale-ro.db" "$d/schema12.db"
chown "$(id -u)" "$d/schema12.db" 2>/dev/null || true
sql "$d/schema12.db" "drop table verdict_basis; pragma user_version = 12"
ERR=$d/err12 run_rc "$GS" trends --db "$d/schema12.db" --run 1 --csv > "$d/schema12.csv"
cmp -s "$d/judged.csv" "$d/schema12.csv" || { diff "$d/judged.csv" "$d/schema12.csv" | head -5; fail "schema 12: other trends"; }
! grep -q 'judged by the method of the gemsoak that made it' "$d/err12" || fail "schema 12: the older method's note"
assert_sql "$d/schema12.db" "select count(*) from verdicts" 0 "schema 12: judged in memory, not written"
echo "without verdicts: $(wc -l < "$d/stale.csv") lines of trends as with them, stored in a file of this user, in memory otherwise (also at schema 12)"
# A file of schema 19 (a basis, no sample count: made by the gemsoak
# before) read in place: its runs judged in memory, the same trends.
cp "$d/stale-ro.db" "$d/schema19.db"
sql "$d/schema19.db" "alter table verdict_basis drop column samples; pragma user_version = 19"
ERR=$d/err19 run_rc "$GS" trends --db "$d/schema19.db" --run 1 --csv > "$d/schema19.csv"
[ "$rc" != 2 ] || fail "schema 19: trends failed: $(cat "$d/err19")"
cmp -s "$d/judged.csv" "$d/schema19.csv" || { diff "$d/judged.csv" "$d/schema19.csv" | head -5; fail "schema 19: other trends"; }
echo "schema 19 read in place: the same $(wc -l < "$d/schema19.csv") lines of trends (exit $rc)"

# --history: the changes of verdict in time order, filtered by --metric;
# a run without history rows (synth writes none, as merge) says so.
cp "$db" "$d/hist.db"
sql "$d/hist.db" "insert into verdict_history values
	(1, 1, 1700001200, 600000, null, 'insufficient-data', null, null),
	(1, 2, 1700001200, 600000, null, 'insufficient-data', null, null),
	(1, 1, 1700002400, 1200000, 'insufficient-data', 'stable', 0.42, 0.31),
	(1, 2, 1700002400, 1200000, 'insufficient-data', 'stable', 0.9, 0),
	(1, 1, 1700004800, 2400000, 'stable', 'leaking', 0.9987, 1.001)"
expect 1 '^4800 +2023-11-14 23:33:20 +2400000 +gem.flink_names +stable +leaking +0.9987 +1.001$' \
	"$GS" trends --db "$d/hist.db" --run 1 --history
[ "$(grep -Ec '^[0-9]+ +2023' "$d/out")" = 5 ] || fail "trends --history: 5 changes"
expect 1 '"history":\[' "$GS" trends --db "$d/hist.db" --run 1 --history --metric 'gem.*' --json
got=$(python3 -c 'import json, sys; print(" ".join("%s:%s" % (r["since_start_s"], r["new"]) for r in json.load(open(sys.argv[1]))["history"]))' "$d/out")
[ "$got" = "1200:insufficient-data 2400:stable 4800:leaking" ] || fail "trends --history --metric: '$got'"
echo "trends --history, gem.*: $got"
expect 1 '^2400,2023-11-14 22:53:20,1200000,dmabuf.objects,insufficient-data,stable,0.9,0' \
	"$GS" trends --db "$d/hist.db" --run 1 --history --csv
expect 0 '^no verdict history in run 2 ' "$GS" trends --db "$d/hist.db" --history
[ "$(wc -l < "$d/out")" = 2 ] || fail "trends --history without history: one line after the title"
expect 0 '"history":\[\]' "$GS" trends --db "$d/hist.db" --history --json

expect 0 'gap +run continues after 300 s' "$GS" events --db "$db" --run 1
expect 0 'worker-exit' "$GS" events --db "$db" --since '2023-11-15 12:00'
! grep -q ' gap ' "$d/out" || fail "events --since: an older event shown"
expect 0 '^no event' "$GS" events --db "$db" --since 1h

# origins: a run that traced none (synth records no origins) says so.
expect 0 '^no object alive from a traced origin in run 2$' "$GS" origins --db "$db"
expect 0 '"origins":\[\],"unavailable":null' "$GS" origins --db "$db" --run 1 --json
ERR=$d/err run_rc "$GS" origins --db "$db" --kind vma > /dev/null
[ "$rc" = 2 ] || fail "origins --kind vma: exit $rc"
grep -q "^gemsoak origins: --kind: 'vma' is neither dma-buf nor gem" "$d/err" || fail "origins --kind vma: $(cat "$d/err")"

expect 0 '^2 +lab-a +6.1.0-fixed' "$GS" runs --db "$db"
grep -Eq '^1 +lab-a +6.1.0-before .* 1 +1$' "$d/out" || fail "runs: gaps and leaking of run 1"

expect 0 '^gem.flink_names +leaking .* stable .* fixed' "$GS" compare --db "$db" 1 2
expect 1 '^gem.flink_names +stable .* leaking .* new leak' "$GS" compare --db "$db" 2 1

expect 0 'gemsoak.prom: 4 metric' "$GS" export --db "$db" --prometheus "$d"
grep -q '^gemsoak_verdict{host="lab-a",run="2",metric="gem.flink_names",scope="kernel",verdict="stable"} 1$' "$d/gemsoak.prom" || fail "export: verdict"
grep -q '^gemsoak_verdict{host="lab-a",run="2",metric="gem.flink_names",scope="kernel",verdict="leaking"} 0$' "$d/gemsoak.prom" || fail "export: verdict state set"
grep -q '^gemsoak_cycles_total{host="lab-a",run="2"} 3600000$' "$d/gemsoak.prom" || fail "export: cycles"
grep -q '^# TYPE gemsoak_cycles_total counter$' "$d/gemsoak.prom" || fail "export: cycles typed counter"
grep -q '^gemsoak_mem_shmem_bytes{host="lab-a",run="2"} 20540416$' "$d/gemsoak.prom" || fail "export: kB as bytes"
grep -q '^gemsoak_worker_deaths_total{host="lab-a",run="2",workload="canary",cause="signal"} 1$' "$d/gemsoak.prom" || fail "export: worker deaths"
grep -q '^gemsoak_workload_below_rate{host="lab-a",run="2",workload="canary"} 0$' "$d/gemsoak.prom" || fail "export: at its rate"
[ "$(grep -c '^# TYPE' "$d/gemsoak.prom")" = "$(grep -v '^#' "$d/gemsoak.prom" | sed 's/{.*//' | uniq | wc -l)" ] ||
	fail "export: one group per metric family"
[ ! -e "$d/gemsoak.prom.tmp" ] || fail "export: temp file left"
grep -q '^gemsoak_findings{host="lab-a",run="2"} 0$' "$d/gemsoak.prom" || fail "export: no finding in the clean run"
# The leaking run as the newest: its finding, labelled with its words.
cp "$db" "$d/leak.db"
sql "$d/leak.db" "delete from samples where tick_id in (select id from ticks where run_id = 2);
	delete from ticks where run_id = 2; delete from rollups where run_id = 2; delete from runs where id = 2"
mkdir -p "$d/leak"
"$GS" export --db "$d/leak.db" --prometheus "$d/leak" > /dev/null
grep '^gemsoak_finding' "$d/leak/gemsoak.prom"
grep -q '^gemsoak_finding_info{host="lab-a",run="1",finding="1",workload="canary",.*lead_metric="gem.flink_names",.*summary="the canary keeps 1 GEM name per 1,000 of its cycles"} 1$' \
	"$d/leak/gemsoak.prom" || fail "export: the finding's info"
grep -q '^gemsoak_findings{host="lab-a",run="1"} 1$' "$d/leak/gemsoak.prom" || fail "export: the findings' number"
# display-server's failed start is an anomaly, its client past the timeout is late.
cp "$db" "$d/xr.db"
sql "$d/xr.db" "insert into events(run_id, t, severity, source, kind, message) values
	(2, (select max(t) from ticks), 'warning', 'workload canary', 'server-failed', 'generation 1: exited before it was ready'),
	(2, (select max(t) from ticks), 'warning', 'workload canary', 'client-timeout', 'generation 2: client 0 killed'),
	(2, (select max(t) from ticks), 'warning', 'workload canary', 'workload-below-rate', '2.6 cycles/s over the last 120 s')"
mkdir -p "$d/xr"
"$GS" export --db "$d/xr.db" --prometheus "$d/xr" > /dev/null
grep -q '^gemsoak_anomalies_total{host="lab-a",run="2",workload="canary",kind="server-failed"} 1$' "$d/xr/gemsoak.prom" ||
	fail "export: server-failed not an anomaly"
grep -q '^gemsoak_late_total{host="lab-a",run="2",workload="canary",kind="client-timeout"} 1$' "$d/xr/gemsoak.prom" &&
	grep -q '^gemsoak_late_total{host="lab-a",run="2",workload="canary",kind="server-not-ready"} 0$' "$d/xr/gemsoak.prom" ||
	fail "export: lateness"
! grep -q 'gemsoak_anomalies_total{.*kind="client-timeout"}' "$d/xr/gemsoak.prom" || fail "export: lateness as an anomaly"
grep -q '^gemsoak_workload_below_rate{host="lab-a",run="2",workload="canary"} 1$' "$d/xr/gemsoak.prom" || fail "export: below its rate"

expect 0 'b.db: 2 run' "$GS" merge "$d/fleet.db" "$d/a.db" "$d/b.db"
expect 0 'a.db: 0 run' "$GS" merge "$d/fleet.db" "$d/a.db"
assert_sql "$d/fleet.db" "select group_concat(hostname || ':' || kernel_release) from runs" \
	"lab-a:6.1.0-before,lab-a:6.1.0-fixed,lab-b:6.1.0-before,lab-b:6.1.0-fixed" "merged runs keep their hosts"
assert_sql "$d/fleet.db" "select group_concat(verdict) from leak_trends where metric = 'gem.flink_names'" \
	"leaking,stable,leaking,stable" "verdicts survive the merge"
assert_sql "$d/fleet.db" "select count(*) from events where kind = 'gap'" 2 "events merged"
assert_sql "$d/fleet.db" "select count(*) from samples s join ticks k on k.id = s.tick_id join runs r on r.id = k.run_id where r.hostname = 'lab-b'" \
	"$(sql "$d/b.db" "select count(*) from samples")" "lab-b's samples point at lab-b's ticks"

# The canned queries, as a person runs them.
for q in db/queries/*.sql; do
	sqlite3 "$db" < "$q" > "$d/q.out" 2>&1 || fail "$q failed: $(cat "$d/q.out")"
done
sqlite3 "$db" < db/queries/trends.sql | grep -Eq '^2 +gem.flink_names +stable' || fail "trends.sql"
sqlite3 "$db" < db/queries/compare-runs.sql | grep -Eq '^gem.flink_names +1 +leaking .* 2 +stable .* fixed' || fail "compare-runs.sql"
sqlite3 "$db" < db/queries/top-growing.sql | grep -Eq '^mem.shmem_kb' || fail "top-growing.sql"
sqlite3 "$db" < db/queries/anomalies-per-hour.sql | grep -Eq '^2023-11-14 23:00 +1 +gap +1' || fail "anomalies-per-hour.sql"

# Bad input: a clear message and exit status 2.
ERR=$d/err run_rc "$GS" trends --db "$d/missing.db"
[ $rc = 2 ] && grep -q 'missing.db: No such file' "$d/err" || fail "missing database"
printf 'not sqlite' > "$d/junk.db"
ERR=$d/err run_rc "$GS" status --db "$d/junk.db"
[ $rc = 2 ] && grep -q 'junk.db' "$d/err" || fail "junk database"
ERR=$d/err run_rc "$GS" trends --db "$db" --run 99
[ $rc = 2 ] && grep -q 'run 99 is not in the database' "$d/err" || fail "unknown run"
ERR=$d/err run_rc "$GS" compare --db "$db" 1
[ $rc = 2 ] || fail "compare with one run"
ERR=$d/err run_rc "$GS" frobnicate
[ $rc = 2 ] || fail "unknown command"

# A database whose views an older gemsoak made is read with today's (TEMP
# views of the reader), and the file is left as it was.
cp "$db" "$d/old.db"
sqlite3 "$d/old.db" "drop view leak_trends; create view leak_trends as select 1 as run_id, 'gem.flink_names' as metric, 'leaking' as verdict"
before=$(md5sum < "$d/old.db")
expect 0 '^gem.flink_names +stable' "$GS" trends --db "$d/old.db"
[ "$(md5sum < "$d/old.db")" = "$before" ] || fail "reading a database of an older gemsoak changed it"
assert_sql "$d/old.db" "select count(*) from pragma_table_info('leak_trends')" 3 "the file's own leak_trends"
echo "ok: an older gemsoak's leak_trends (3 columns) read as today's: $(grep -c . "$d/out") lines"
# One of an older schema (6: no probe_pauses, which today's views read)
# cannot be migrated by a reader: judged by its own views, with a note.
cat db/migrations/000[1-6]-*.sql | sqlite3 "$d/s6.db"
sqlite3 "$d/s6.db" "pragma user_version = 6; insert into runs(started, kernel_release, config_text) values (1.7e9, '6.1', '')"
expect 0 '^1 ' "$GS" runs --db "$d/s6.db"
expect 0 'no metric' "$GS" trends --db "$d/s6.db"
grep -q 's6.db: note: database schema version 6 is older than this gemsoak' "$d/err" || fail "schema 6: no note"
# Every reading command works on it, also those that read views added
# since (lateness): exit 77 (no verdict yet) from the gate, 0 from export.
expect 77 '' "$GS" gate --db "$d/s6.db"
mkdir -p "$d/prom6"
expect 0 '' "$GS" export --db "$d/s6.db" --prometheus "$d/prom6"
[ -s "$d/prom6/gemsoak.prom" ] || fail "schema 6: export wrote nothing"
echo "ok: schema 6 read by gate and export ($(grep -c '^gemsoak_' "$d/prom6/gemsoak.prom") samples exported)"

# report --out and export write files without touching what is not ours.
# A symbolic link is not replaced (unless --force), and the message names it.
echo original > "$d/t.txt"
ln -s t.txt "$d/l.html"
ERR=$d/err run_rc "$GS" report --db "$db" --out "$d/l.html"
[ $rc = 2 ] && grep -q "l.html: a symbolic link; not replaced" "$d/err" || fail "report over a symlink: exit $rc"
[ -L "$d/l.html" ] && [ "$(cat "$d/t.txt")" = original ] || fail "report over a symlink: link or its file changed"
! find "$d" -maxdepth 1 -name '.l.html.*' | grep -q . || fail "report over a symlink: temp file left"
"$GS" report --db "$db" --out "$d/l.html" --force > /dev/null || fail "report --force"
[ -f "$d/l.html" ] && [ ! -L "$d/l.html" ] && [ "$(cat "$d/t.txt")" = original ] || fail "report --force: link not replaced"
# - is stdout, and the note goes to stderr so stdout is the report alone.
"$GS" report --db "$db" --out - > "$d/stdout.html" 2> "$d/err" || fail "report --out -"
head -c 15 "$d/stdout.html" | grep -q '<!DOCTYPE html>' && tail -1 "$d/stdout.html" | grep -q '</html>' || fail "report --out -: not the HTML alone"
# A FIFO is written in place, never replaced.
mkfifo "$d/fifo"
cat "$d/fifo" > "$d/from-fifo.html" &
reader=$!
"$GS" report --db "$db" --out "$d/fifo" > /dev/null || fail "report into a FIFO"
wait $reader
[ -p "$d/fifo" ] && grep -q '</html>' "$d/from-fifo.html" || fail "report into a FIFO: replaced, or nothing read"
# A device is written in place: /dev/full stays a device, the error names it.
ERR=$d/err run_rc "$GS" report --db "$db" --out /dev/full
[ $rc = 2 ] && [ -c /dev/full ] && grep -q '/dev/full: cannot write: No space left on device' "$d/err" ||
	fail "report --out /dev/full: exit $rc, $(cat "$d/err")"
! grep -q '\.tmp\|XXXXXX' "$d/err" || fail "a message names the temp file"
# A regular file keeps its mode when it is rewritten.
chmod 640 "$d/report.html" 2>/dev/null || { touch "$d/report.html"; chmod 640 "$d/report.html"; }
"$GS" report --db "$db" --out "$d/report.html" > /dev/null
[ "$(stat -c %a "$d/report.html")" = 640 ] || fail "report: the file's mode was not kept"
echo "ok: report --out: symlink refused, --force, -, FIFO, /dev/full in place"

# export --every follows a database replaced under it and stops, saying
# so, when it is removed.
mkdir -p "$d/prom"
cp "$d/a.db" "$d/live.db"
"$GS" export --db "$d/live.db" --prometheus "$d/prom" --every 1s 2> "$d/every.err" &
exporter=$!
i=0
until grep -q 'host="lab-a"' "$d/prom/gemsoak.prom" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "export --every wrote nothing"; sleep 0.1
done
cp "$d/b.db" "$d/live.db.new"
mv "$d/live.db.new" "$d/live.db"
i=0
until grep -q 'host="lab-b"' "$d/prom/gemsoak.prom"; do
	i=$((i + 1)); [ $i -lt 100 ] || { kill $exporter; fail "export --every kept publishing the replaced database"; }; sleep 0.1
done
grep -q 'live.db: the database file was replaced' "$d/every.err" || fail "export --every: replacement not said"
rm "$d/live.db"
set +e
wait $exporter
rc=$?
set -e
[ $rc = 2 ] && grep -q 'live.db: the database was removed; stopping' "$d/every.err" || fail "export --every after removal: exit $rc"
echo "ok: export --every: $(tr '\n' ' ' < "$d/every.err")"
echo "ok"
