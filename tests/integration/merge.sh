#!/bin/sh
# gemsoak merge without loss: runs recorded with different trend windows
# (1 s on the kernel model, seed 000's leak; 300 s in gemsoak-synth's demo)
# merged into one database give, per run, the same `trends`, `runs` and
# `compare` as in their own databases, leaks included. An input judged by
# other trend thresholds than the output's runs is refused (exit 2, what
# differs named) and the output keeps what it had. A run merged while it
# ran (a nightly merge of a multi-day soak) is brought up to date by the
# next merge: its new ticks, samples, rollups, events and stop. Verdicts
# and their history travel with their runs, and so do the findings made
# of them (the same rows as in the source: the model's run, judged before
# the merge, keeps its PRIME finding); a run whose verdicts are missing,
# older than its last tick or of another basis is judged again, findings
# and all (the synth runs: the same findings as judged in their source).
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
GS=$TOP/build/gemsoak
d=$TOP/build/tests/merge
rm -rf "$d"
mkdir -p "$d"
trap 'model_stop' EXIT

model_prime_conf "$d/model.conf"
model_run_daemon "$d/model.conf" 12 "$d/model" --without-fix 000 > "$d/model.log"
cp "$d/model/gs.db" "$d/m.db"
build/gemsoak-synth --db "$d/s.db" --preset demo > /dev/null
# The same thresholds in both, so short runs get verdicts too: the
# model's run judged with them before the merge (its verdicts and findings
# travel as they are), synth's judged after it.
set_thresholds "$d/m.db" "min_span_s = 3, min_windows = 4"
sql "$d/s.db" "update trend_thresholds set min_span_s = 3, min_windows = 4"
echo "windows: model $(sql "$d/m.db" "select value from trend_settings where key = 'window_s'") s, synth $(sql "$d/s.db" "select value from trend_settings where key = 'window_s'") s"

# Origins (the kernel model traces none): the same stacks in the two
# inputs under other ids, one only in each.
sql "$d/m.db" "insert into origin_stacks(stack) values ('dma_buf_export+0x1' || char(10) || 'drm_ioctl+0x22f'), ('drm_gem_object_init+0x1');
	insert into object_origins values (1, 1000, 'dma-buf', 'prime-share', 'gs:prime-share', 1, 3, 12288),
	(1, 1001, 'dma-buf', 'prime-share', 'gs:prime-share', 1, 5, 20480), (1, 1001, 'gem', 'canary', 'gs:canary', 2, 1, 4096)"
sql "$d/s.db" "insert into origin_stacks(stack) values ('drm_gem_private_object_init+0x1'), ('drm_gem_object_init+0x1');
	insert into object_origins values (2, 2000, 'gem', 'canary', 'gs:canary', 2, 7, 28672),
	(2, 2000, 'gem', 'self-import', 'gs:self-import', 1, 2, 8192)"
$GS merge "$d/fleet.db" "$d/m.db" "$d/s.db" > "$d/merge.out" || fail "merge: exit $?"
assert_sql "$d/fleet.db" "select count(*) from runs" 3 "three runs merged"
# The daemon's verdict history travels with its run; every run has
# verdicts judged with the fleet's basis (the model's, with the thresholds
# edited above, and synth's judged again).
history=$(sql "$d/m.db" "select count(*) from verdict_history where run_id = 1")
echo "verdict history of the model's run: $history row(s) in its database, $(sql "$d/fleet.db" "select count(*) from verdict_history where run_id = 1") after the merge"
[ "$history" -gt 0 ] || fail "the model's run has no verdict history to merge"
assert_sql "$d/fleet.db" "select count(*) from verdict_history where run_id = 1" "$history" "the verdict history merged"
assert_sql "$d/fleet.db" "select count(distinct run_id) || ' ' || count(distinct basis) from verdict_basis" "3 1" "every run judged on one basis"

# same WHAT SOURCE_ARGS -- FLEET_ARGS: the command's CSV, all but the run
# column where it has one, alike in the source and the fleet.
same() {
	what=$1
	shift
	src="" fleet=""
	while [ "$1" != -- ]; do src="$src $1"; shift; done
	shift
	fleet="$*"
	# shellcheck disable=SC2086
	$GS $src --csv > "$d/src.csv" || [ $? = 1 ]
	# shellcheck disable=SC2086
	$GS $fleet --csv > "$d/fleet.csv" || [ $? = 1 ]
	[ -s "$d/src.csv" ] || fail "$what: no output"
	cmp -s "$d/src.csv" "$d/fleet.csv" || { diff "$d/src.csv" "$d/fleet.csv" | head -5; fail "$what differs after the merge"; }
}
same "trends of the model's run" trends -D "$d/m.db" --run 1 -- trends -D "$d/fleet.db" --run 1
same "trends of synth run 1" trends -D "$d/s.db" --run 1 -- trends -D "$d/fleet.db" --run 2
same "trends of synth run 2" trends -D "$d/s.db" --run 2 -- trends -D "$d/fleet.db" --run 3
same "compare of the synth runs" compare -D "$d/s.db" 1 2 -- compare -D "$d/fleet.db" 2 3
same "origins of the model's run" origins -D "$d/m.db" --run 1 -- origins -D "$d/fleet.db" --run 1
# Findings: the model's travel with its verdicts, synth's are judged again.
# same_findings SOURCE RUN FLEET_RUN
same_findings() {
	same "findings of $1 run $2" findings -D "$d/$1" --run "$2" -- findings -D "$d/fleet.db" --run "$3"
	echo "findings of $1 run $2: $(sql "$d/$1" "select count(*) from findings where run_id = $2") in the source" \
		"($(sql "$d/$1" "select group_concat(lead_metric || ' of ' || coalesce(workload, 'no workload'), '; ')
		from findings where run_id = $2")), the same $(sql "$d/fleet.db" "select count(*) from findings
		where run_id = $3") as run $3 after the merge"
}
same_findings m.db 1 1
same_findings s.db 1 2
same_findings s.db 2 3
assert_true "$d/m.db" "select count(*) >= 1 from findings where run_id = 1 and lead_metric = 'dmabuf.objects'" \
	"the model's run has its PRIME finding to merge"
assert_true "$d/s.db" "select count(*) >= 1 from findings where run_id = 1" "synth run 1 has a finding to merge"
same "origins of synth run 2" origins -D "$d/s.db" --run 2 -- origins -D "$d/fleet.db" --run 3
$GS merge "$d/fleet.db" "$d/m.db" > /dev/null || fail "merge again: exit $?"
assert_sql "$d/fleet.db" "select count(*) || ' ' || (select count(*) from origin_stacks) from object_origins" "5 3" \
	"origins: 5 rows and 3 stacks once, after merging the model's run twice"
$GS runs -D "$d/m.db" --csv | tail -n +2 | cut -d, -f2- > "$d/runs.src"
$GS runs -D "$d/s.db" --csv | tail -n +2 | cut -d, -f2- >> "$d/runs.src"
$GS runs -D "$d/fleet.db" --csv | tail -n +2 | cut -d, -f2- > "$d/runs.fleet"
cmp -s "$d/runs.src" "$d/runs.fleet" || { diff "$d/runs.src" "$d/runs.fleet"; fail "runs differ after the merge"; }
leaks=$(sql "$d/fleet.db" "select group_concat(run_id || ':' || n) from (select run_id, count(*) as n from leak_trends
	where verdict = 'leaking' and scope = 'kernel' group by run_id)")
echo "kernel leaks per run after the merge: $leaks"
case ",$leaks," in *,1:*) ;; *) fail "the model's leak lost" ;; esac
case ",$leaks," in *,2:*) ;; *) fail "synth run 1's leak lost" ;; esac

# Judged by other thresholds: refused, nothing of it merged.
build/gemsoak-synth --db "$d/other.db" --preset demo --host lab-c > /dev/null
ERR=$d/err run_rc "$GS" merge "$d/fleet.db" "$d/other.db"
cat "$d/err"
[ $rc = 2 ] || fail "other thresholds: exit $rc, not 2"
grep -q "other.db: judged by other trend thresholds than .*fleet.db (threshold \*, " "$d/err" || fail "other thresholds: the message"
assert_sql "$d/fleet.db" "select count(*) from runs" 3 "the refused input added no run"
# A running soak merged: synth run 2 as it was 3000 s in (no stop), then
# the finished run. The partial copy is a snapshot of the source as the
# daemon had written it: later ticks, samples, events and buckets absent.
cp "$d/s.db" "$d/partial.db"
sql "$d/partial.db" "create temp table cut as select started + 3000 as t from runs where id = 2;
	delete from samples where tick_id in (select id from ticks where run_id = 2 and t > (select t from cut));
	delete from ticks where run_id = 2 and t > (select t from cut);
	delete from events where run_id = 2 and t > (select t from cut);
	delete from rollups where run_id = 2 and bucket > (select t from cut);
	update runs set stopped = null where id = 2"
$GS merge "$d/nightly.db" "$d/partial.db" > /dev/null
# run_state DB RUN: what the run holds, for comparing source and copy.
run_state() {
	sql "$1" "select coalesce('stopped at ' || r.stopped, 'running') || ', ' ||
		(select count(*) from ticks where run_id = r.id) || ' ticks, ' ||
		(select count(*) from samples s join ticks k on k.id = s.tick_id where k.run_id = r.id) || ' samples, ' ||
		(select count(*) from events where run_id = r.id) || ' events, ' ||
		(select count(*) || ' rollups of ' || sum(n) || ' samples' from rollups where run_id = r.id)
		from runs r where r.id = $2"
}
before=$(run_state "$d/nightly.db" 2)
$GS merge "$d/nightly.db" "$d/s.db" > "$d/nightly.out" || fail "merge of the finished run: exit $?"
cat "$d/nightly.out"
after=$(run_state "$d/nightly.db" 2)
echo "run 2: partial copy: $before; after the next merge: $after; source: $(run_state "$d/s.db" 2)"
grep -qx '.*/s.db: 0 run(s) merged, 1 run(s) updated, +420 ticks' "$d/nightly.out" || fail "the update not said"
[ "$after" = "$(run_state "$d/s.db" 2)" ] || fail "the run not brought up to date"
same "trends of the updated run" trends -D "$d/s.db" --run 2 -- trends -D "$d/nightly.db" --run 2
same "findings of the updated run" findings -D "$d/s.db" --run 2 -- findings -D "$d/nightly.db" --run 2
# Negative control: the run held in full is left alone, and merging again changes nothing.
[ "$(run_state "$d/nightly.db" 1)" = "$(run_state "$d/s.db" 1)" ] || fail "the finished run 1 changed"
$GS merge "$d/nightly.db" "$d/s.db" > "$d/again.out"
grep -qx '.*/s.db: 0 run(s) merged, 0 run(s) updated, +0 ticks' "$d/again.out" || fail "merging again: $(cat "$d/again.out")"
[ "$(run_state "$d/nightly.db" 2)" = "$after" ] || fail "merging again changed the run"

echo "ok: 3 runs at windows of 1 s and 300 s merged with their trends, runs and compare unchanged"
