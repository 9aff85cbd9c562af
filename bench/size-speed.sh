#!/bin/sh
# Size and speed goals: a run of DAYS days (default 30) sampled every 10 s
# with 50 metrics (gemsoak-synth: samples through the store, the rollups
# the trigger would write in bulk), raw samples kept 7 days, must stay
# under 300 MB, and `select * from leak_trends` must answer in at most
# 50 ms.
# usage: bench/size-speed.sh [DAYS] (from the top directory; `make bench`)
set -eu
days=${1:-30}
db=${BENCH_DB:-build/bench/month.db}
mkdir -p build/bench
rm -f "$db" "$db-wal" "$db-shm"
echo "== writing $days days at 10 s with 50 metrics through the store, rollups in bulk (a few minutes) =="
start=$(date +%s)
${SYNTH:-build/gemsoak-synth} --db "$db" --preset bench --days "$days"
echo "written in $(( $(date +%s) - start )) s"
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
bytes=$(stat -c %s "$db")
echo "database: $((bytes / 1048576)) MB (goal: under 300 MB)"
sqlite3 -box "$db" "SELECT name AS 'table', ROUND(SUM(pgsize) / 1048576.0, 1) AS mb FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6" 2>/dev/null || true
best=""
for _ in 1 2 3; do
	ms=$(printf '.timer on\nSELECT * FROM leak_trends;\n' | sqlite3 "$db" |
		sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | awk '{ printf "%d", $1 * 1000 }')
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "select * from leak_trends: $best ms wall clock, best of 3 (goal: at most 50 ms; on an idle machine)"
verdicts=$(sqlite3 "$db" "SELECT group_concat(n || ' ' || verdict, ', ') FROM (SELECT verdict, COUNT(*) AS n FROM leak_trends GROUP BY verdict)")
echo "verdicts: $verdicts (5 of the 50 series leak 1 object per 10,000 cycles)"
[ "$bytes" -lt $((300 * 1048576)) ] && echo "size goal: met" || echo "size goal: NOT MET"
[ "$best" -le 50 ] && echo "speed goal: met" || echo "speed goal: NOT MET"
