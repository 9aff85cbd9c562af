#!/bin/sh
# gemsoak-synth writes the bench preset's rollups in bulk
# (bench/rollup-writer.c), not through the store's trigger: 8 hours of it
# (two 6-hour bucket boundaries, eight hourly ones) written both ways give
# the same rows in every table the trigger or the judgement writes, and
# the trigger is back as it was. Negative control: the same comparison
# finds a rollup whose sum changed in its 15th digit.
set -eu
. tests/lib.sh
work=build/tests/synth-rollups
rm -rf "$work"
mkdir -p "$work"
build/gemsoak-synth --db "$work/bulk.db" --preset bench --hours 8 > /dev/null || fail "bulk: gemsoak-synth failed"
build/gemsoak-synth --db "$work/trigger.db" --preset bench --hours 8 --trigger-rollups > /dev/null ||
	fail "trigger: gemsoak-synth failed"
# differ DB OTHER TABLE: rows of TABLE in one database and not the other.
differ() {
	sql "$1" "attach '$2' as o;
		select (select count(*) from (select * from main.$3 except select * from o.$3))
		     + (select count(*) from (select * from o.$3 except select * from main.$3))"
}
for table in rollups ticks samples metrics verdicts; do
	rows=$(sql "$work/trigger.db" "select count(*) from $table")
	n=$(differ "$work/bulk.db" "$work/trigger.db" "$table")
	echo "$table: $rows rows by the trigger, $n differing in bulk"
	[ "$rows" -gt 0 ] || fail "$table: no rows written"
	[ "$n" = 0 ] || fail "$table: $n rows differ between the bulk and the trigger's writing"
done
q="select sql from sqlite_master where type = 'trigger' and name = 'samples_rollup'"
[ "$(sql "$work/bulk.db" "$q")" = "$(sql "$work/trigger.db" "$q")" ] || fail "the trigger was not put back as it was"
# the negative control
cp "$work/bulk.db" "$work/changed.db"
sql "$work/changed.db" "update rollups set vsum = vsum * (1 + 1e-15)
	where (width, metric_id, bucket) = (select width, metric_id, bucket from rollups limit 1)"
n=$(differ "$work/changed.db" "$work/trigger.db" rollups)
echo "negative control: one rollup's sum changed in its 15th digit, $n rows differ"
[ "$n" = 2 ] || fail "the comparison missed a changed rollup ($n rows differ)"
echo "PASS"
