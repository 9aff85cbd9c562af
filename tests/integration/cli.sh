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

# expect STATUS PATTERN CMD...: exit status and a line of stdout matching PATTERN.
expect() {
	want=$1 pattern=$2
	shift 2
	ERR=$d/stderr run_rc "$@" > "$d/out"
	[ "$rc" = "$want" ] || { cat "$d/out" "$d/stderr"; fail "$*: exit $rc, expected $want"; }
	grep -Eq -- "$pattern" "$d/out" || { cat "$d/out"; fail "$*: no line matches '$pattern'"; }
}

expect 0 '^  trends ' $GS --help
for c in status trends events runs compare report export merge; do
	expect 0 "^usage: gemsoak $c" $GS $c --help
done

expect 0 '^run 2 on lab-a: kernel 6.1.0-fixed' $GS status --db "$db"
grep -Eq '^workload cycles: 3600000 total, 500.0 cycles/s' "$d/out" || fail "status: cycles/s"
grep -Eq '^gem.flink_names +[0-9.]+ +stable' "$d/out" || fail "status: latest value and verdict"

expect 1 '^gem.flink_names +leaking +(0\.999[0-9]*|1) +(0\.99[0-9]*|1|1\.00[0-9]*) +kcycle +canary +(0\.99[0-9]*|1|1\.00[0-9]*) ' $GS trends --db "$db" --run 1
grep -Eq '^1 metric\(s\) leaking' "$d/out" || fail "trends: leak count"
expect 0 '^gem.flink_names +stable' $GS trends --db "$db"
expect 0 '^mem.shmem_kb ' $GS trends --db "$db" --metric 'mem.*'
! grep -q '^gem' "$d/out" || fail "trends --metric: other metrics shown"

expect 0 'gap +run continues after 300 s' $GS events --db "$db" --run 1
expect 0 'worker-exit' $GS events --db "$db" --since '2023-11-15 12:00'
! grep -q ' gap ' "$d/out" || fail "events --since: an older event shown"
expect 0 '^no event' $GS events --db "$db" --since 1h

expect 0 '^2 +lab-a +6.1.0-fixed' $GS runs --db "$db"
grep -Eq '^1 +lab-a +6.1.0-before .* 1 +1$' "$d/out" || fail "runs: gaps and leaking of run 1"

expect 0 '^gem.flink_names +leaking .* stable .* fixed' $GS compare --db "$db" 1 2
expect 1 '^gem.flink_names +stable .* leaking .* new leak' $GS compare --db "$db" 2 1

expect 0 'gemsoak.prom: 4 metric' $GS export --db "$db" --prometheus "$d"
grep -q '^gemsoak_leaking{host="lab-a",run="2",metric="gem.flink_names"} 0$' "$d/gemsoak.prom" || fail "export: verdict"
grep -q '^gemsoak_cycles_total{host="lab-a",run="2"} 3600000$' "$d/gemsoak.prom" || fail "export: cycles"
[ "$(grep -c '^# TYPE' "$d/gemsoak.prom")" = 6 ] || fail "export: one group per metric family"
[ ! -e "$d/gemsoak.prom.tmp" ] || fail "export: temp file left"

expect 0 'b.db: 2 run' $GS merge "$d/fleet.db" "$d/a.db" "$d/b.db"
expect 0 'a.db: 0 run' $GS merge "$d/fleet.db" "$d/a.db"
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
ERR=$d/stderr run_rc $GS trends --db "$d/missing.db"
[ $rc = 2 ] && grep -q 'missing.db: No such file' "$d/stderr" || fail "missing database"
printf 'not sqlite' > "$d/junk.db"
ERR=$d/stderr run_rc $GS status --db "$d/junk.db"
[ $rc = 2 ] && grep -q 'junk.db' "$d/stderr" || fail "junk database"
ERR=$d/stderr run_rc $GS trends --db "$db" --run 99
[ $rc = 2 ] && grep -q 'run 99 is not in the database' "$d/stderr" || fail "unknown run"
ERR=$d/stderr run_rc $GS compare --db "$db" 1
[ $rc = 2 ] || fail "compare with one run"
ERR=$d/stderr run_rc $GS frobnicate
[ $rc = 2 ] || fail "unknown command"
echo "ok"
