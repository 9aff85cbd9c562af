#!/bin/sh
# The engine's cost against its targets (`make bench`): for runs of 11
# hours (near the most points a judgement reads: 660 minute rollups a
# series, which the 30 rounds measured stay on; from 12 hours on the base
# is hourly rollups), 1, 7, 30 and 90 days of 50 metrics at 10 s
# (gemsoak-synth --preset bench, raw samples kept 7 days), what a full
# judgement of the run costs (target: at most 1 s at 30 days), what one round of the daemon costs (a round
# written, the run judged from the state kept between rounds and its
# verdicts stored; target: at most 2 ms at 50 metrics whatever the
# history, with the judgement once a minute at 10 s rounds), reading
# `select * from leak_trends` (at most 50 ms) and `gemsoak status` (at
# most 0.2 s of CPU), and the heap the daemon keeps between rounds for
# the judgement (its state), and of it the findings' lows (bounded:
# analysis/lows.h). Generated databases are kept in build/bench
# (engine-DAYS.db: 90 days take minutes to write) and copied for each
# measurement. usage: bench/engine.sh [DAYS|HOURSh...] (from the top
# directory)
set -eu
days=${*:-11h 1 7 30 90}
mkdir -p build/bench
printf '| days | full judgement, CPU ms (<= 1000 at 30 d) | a judgement of one round, CPU ms, mean / max | per 10 s round with one judgement a minute (<= 2) | state kept between rounds, kB | of it the findings lows, kB | select * from leak_trends, ms (<= 50) | gemsoak status, CPU ms (<= 200) |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for d in $days; do
	db=build/bench/engine-$d.db
	case $d in
	*h) length="--hours ${d%h}" label="$(awk "BEGIN { printf \"%.2f\", ${d%h} / 24 }") (${d%h} h)" ;;
	*) length="--days $d" label=$d ;;
	esac
	if [ ! -s "$db" ]; then
		# written aside, so that an interrupted run is not measured later
		part=$db.part
		rm -f "$part" "$part-wal" "$part-shm"
		# shellcheck disable=SC2086 # the option and its value
		build/gemsoak-synth --db "$part" --preset bench $length > /dev/null
		sqlite3 "$part" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
		rm -f "$part-wal" "$part-shm"
		mv "$part" "$db"
	fi
	work=build/bench/engine-work.db
	rm -f "$work" "$work-wal" "$work-shm"
	cp "$db" "$work"
	build/bench/engine-bench "$work" 30 build/gemsoak > "build/bench/engine-$d.txt"
	v() { awk -v k="$1" '$1 == k { print $2 }' "build/bench/engine-$d.txt"; }
	printf '| %s | %s | %s / %s | %s | %s | %s | %s | %s |\n' "$label" "$(v full_judgement_cpu_ms)" \
		"$(v round_judgement_cpu_ms)" "$(v round_judgement_max_cpu_ms)" \
		"$(awk "BEGIN { printf \"%.2f\", $(v round_judgement_cpu_ms) / 6 }")" \
		"$(v state_kb)" "$(v state_lows_kb)" "$(v leak_trends_wall_ms)" "$(v status_cpu_ms)"
	rm -f "$work" "$work-wal" "$work-shm"
done
