#!/bin/sh
# The recorded corpus (tests/corpus/): every run of hours on the real kernel
# replayed through the engine round by round as the daemon judges
# (tests/corpus/replay.c, its verdict_history holds every change; every
# 10th round judged from scratch too, which must agree), each verdict
# checked at every round against the run's NAME.expect:
#   clean                 no kernel metric is leaking at any round
#   onset MIN             the leak starts after MIN minutes (a late config
#                         reloaded then): no kernel metric leaking before it
#   leak METRIC WORKLOAD MIN
#                         METRIC is leaking, attributed to WORKLOAD, within
#                         MIN minutes of the onset (of the start without one),
#                         and at every round after
#   also METRIC...        kernel metrics the leak moves too (its bytes, the
#                         backing store): leaking after the onset is right
#   lost METRIC WORKLOAD MIN
#                         a leak the detector finds within MIN minutes of the
#                         onset, then loses (not leaking at some round after):
#                         the rounds after it are printed; the test fails
#                         once it stays leaking to the end (the line becomes
#                         `leak`), or once it is not found in time (`missed`)
#   missed METRIC WORKLOAD MIN
#                         a leak the detector does not find yet within MIN
#                         minutes of the onset (tests/corpus/README.md says
#                         why): its verdicts are printed; the test fails once
#                         it is found in time, so the line becomes `leak`
#   known METRIC...       false alarms the detector still gives on this run
#                         (tests/corpus/README.md lists them and why): each
#                         round they are leaking is printed, not failed; the
#                         test fails once one is no longer leaking anywhere,
#                         so the line goes when the detector is fixed
# A clean run's check is its own negative control; a leak run's positive
# one is that the leak is found, and its negative that nothing else is.
set -eu
. tests/lib.sh
dir=tests/corpus
work=build/tests/corpus
mkdir -p "$work"
runs=0
for xz in "$dir"/*.db.xz; do
	[ -f "$xz" ] || continue
	name=$(basename "$xz" .db.xz)
	expect=$dir/$name.expect
	[ -f "$expect" ] || fail "$xz has no $expect"
	xz -dc "$xz" > "$work/$name.db"
	db=$work/$name-replay.db
	rm -f "$db" "$db-wal" "$db-shm"
	cp "$work/$name.db" "$db"
	# judged as the daemon judges (a state kept between rounds), and every
	# 10th round and the last against the run judged from scratch
	got=$(build/tests/gemsoak-replay "$db") || fail "$name: the replay failed (or its state judged otherwise than a judgement from scratch)"
	rounds=${got% *} checked=${got#* }
	# Every change of verdict, with the round it came at and the metric's
	# final attribution and scope.
	sqlite3 "$db" "create table replay as
		select (select count(*) from ticks k where k.run_id = h.run_id and k.t <= h.t) as round,
		       h.t - r.started as t, h.cycles, m.name as metric, h.new_verdict as verdict,
		       h.confidence, coalesce(v.slope_per_kcycle_workload, v.slope_per_kcycle) as per_kcycle,
		       v.workload, v.scope
		from verdict_history h join metrics m on m.id = h.metric_id join runs r on r.id = h.run_id
		join verdicts v on v.run_id = h.run_id and v.metric_id = h.metric_id"
	span=$(sql "$db" "select printf('%.0f', (max(t) - min(t)) / 60) from ticks")
	echo "== $name: $rounds rounds, $span min replayed; the daemon's judgement the same as one from scratch at $checked rounds"
	onset=$(awk '$1 == "onset" { print $2 }' "$expect")
	onset_s=$(( ${onset:-0} * 60 ))
	also=$(awk '$1 == "also" { for (i = 2; i <= NF; i++) printf "%s\n", $i }' "$expect")
	leaks=$(awk '$1 == "leak" || $1 == "missed" || $1 == "lost" { print $2 }' "$expect")
	known=$(awk '$1 == "known" { for (i = 2; i <= NF; i++) printf "%s\n", $i }' "$expect")
	# Leaking kernel metrics that are not expected: at any round when the
	# run is clean, before the onset, or outside the leak's metrics after it.
	clean=0
	grep -q '^clean' "$expect" && clean=1
	{
		echo "drop table if exists expected; create table expected(metric text primary key);"
		# shellcheck disable=SC2086 # lists of metric names, split on purpose
		printf '%s\n' $leaks $also | sed "/^$/d; s/.*/insert into expected values ('&');/"
		echo "drop table if exists known; create table known(metric text primary key);"
		# shellcheck disable=SC2086 # a list of metric names, split on purpose
		printf '%s\n' $known | sed "/^$/d; s/.*/insert into known values ('&');/"
		echo "drop table if exists unexpected; create table unexpected as select * from replay
			where scope = 'kernel' and verdict = 'leaking'
			and ($clean or t < $onset_s or metric not in (select metric from expected))
			and metric not in (select metric from known);"
	} | sqlite3 "$db"
	for m in $known; do
		got=$(sql "$db" "select count(*) || ' time(s), first at ' || printf('%.1f', min(t) / 60.0) || ' min'
			from replay where metric = '$m' and verdict = 'leaking'")
		case $got in
		0\ *) fail "$name: $m is listed as a known false alarm but is never leaking now: take it out of $expect" ;;
		esac
		echo "known false alarm: $m leaking $got"
	done
	n=$(sql "$db" "select count(*) from unexpected")
	echo "changes to 'leaking' where nothing leaks: $n"
	if [ "$n" != 0 ]; then
		sqlite3 -box "$db" "select round, printf('%.1f', t / 60.0) as minute, cycles, metric,
			printf('%.4f', confidence) as confidence, printf('%.3f', per_kcycle) as per_kcycle, workload
			from unexpected order by round limit 30"
		fail "$name: $n verdict(s) of 'leaking' where nothing leaks"
	fi
	while read -r kind metric workload within; do
		if [ "$kind" = missed ]; then
			hit=$(sql "$db" "select count(*) from replay where metric = '$metric' and verdict = 'leaking'
				and t >= $onset_s and t <= $onset_s + $within * 60")
			echo "$metric (a leak of $workload the detector misses): $(sql "$db" "select group_concat(printf('%.1f min %s %.4f', (t - $onset_s) / 60.0, verdict, confidence), ', ') from replay where metric = '$metric' and t >= $onset_s")"
			[ "$hit" = 0 ] || fail "$name: $metric is found within $within min of the onset now: make its line 'leak'"
			continue
		fi
		if [ "$kind" = lost ]; then
			first=$(sql "$db" "select printf('%.1f', (min(t) - $onset_s) / 60.0) from replay where metric = '$metric'
				and verdict = 'leaking' and t >= $onset_s")
			[ -n "$first" ] && awk -v m="$first" -v w="$within" 'BEGIN { exit !(m <= w) }' ||
				fail "$name: $metric (a leak of $workload) is not found within $within min of the onset now (first: ${first:-never}): make its line 'missed'"
			echo "$metric (a leak of $workload the detector finds, then loses): leaking from $first min; after it: $(sql "$db" "select group_concat(printf('%.1f min %s', (t - $onset_s) / 60.0, verdict), ', ') from replay where metric = '$metric' and t > $onset_s + $first * 60")"
		fi
		[ "$kind" = leak ] || [ "$kind" = lost ] || continue
		# The first round from which METRIC stays leaking, attributed.
		found=$(sql "$db" "with h as (select round, t, verdict, workload from replay where metric = '$metric'),
			last_off as (select max(round) as r from h where verdict <> 'leaking')
			select printf('%.1f %d %s', (h.t - $onset_s) / 60.0, h.round, coalesce(h.workload, '-'))
			from h where h.verdict = 'leaking' and h.round > coalesce((select r from last_off), 0)
			order by h.round limit 1")
		if [ "$kind" = lost ]; then
			[ -z "$found" ] || ! awk -v m="${found%% *}" -v w="$within" 'BEGIN { exit !(m <= w) }' ||
				fail "$name: $metric stays leaking to the end from ${found%% *} min now: make its line 'leak'"
			continue
		fi
		[ -n "$found" ] || fail "$name: $metric never leaking to the end ($(sql "$db" "select group_concat(round || ':' || verdict, ' ') from replay where metric = '$metric'"))"
		# shellcheck disable=SC2086 # three words, split on purpose
		set -- $found
		echo "$metric: leaking from $1 min after the onset (round $2) to the end, workload $3 (promised within $within min)"
		awk -v m="$1" -v w="$within" 'BEGIN { exit !(m <= w) }' ||
			fail "$name: $metric found $1 min after the onset, later than $within"
		[ "$3" = "$workload" ] || fail "$name: $metric attributed to $3, not $workload"
		final=$(sql "$db" "select printf('%.3f', per_kcycle) from replay where metric = '$metric' limit 1")
		echo "$metric: $final per 1000 cycles of $workload at the end"
	done < "$expect"
	runs=$((runs + 1))
done
[ $runs -gt 0 ] || fail "no recorded run in $dir"
echo "corpus: $runs run(s) replayed, every verdict at every round as expected"
