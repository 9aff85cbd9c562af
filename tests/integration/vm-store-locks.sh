#!/bin/sh
# Other users of the database must not cost samples. A reader holding a
# read transaction (a long `sqlite3` query, a report) for 12 s: WAL lets
# the daemon write on, every round lands in time. Then a writer holding
# the write lock for 12 s (longer than the 5 s busy timeout): rounds wait
# in memory and are all written once the lock is gone, with an event.
# The guest starts each step once the daemon's rounds say it may, and
# ends the daemon once the recovery is stored.
set -eu
. tests/lib.sh
out=build/tests/vm-store-locks
flink_share_conf build/tests/store-locks.conf
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='wait_sql "select count(*) >= 3 from ticks"
date +%s > /mnt/share/reader.start
(echo "BEGIN; SELECT count(*) FROM samples;"; sleep 12; echo "COMMIT;") | sqlite3 -cmd ".timeout 5000" /var/lib/gemsoak/gs.db > /tmp/reader.out
date +%s > /mnt/share/reader.end
echo "reader saw $(cat /tmp/reader.out) samples"
(echo "BEGIN IMMEDIATE;"; sleep 12; echo "COMMIT;") | sqlite3 -cmd ".timeout 5000" /var/lib/gemsoak/gs.db
wait_sql "select count(*) >= 1 from events where kind = '"'store-recovered'"'"
kill -TERM $daemon'
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_DURING
vm_run_daemon build/tests/store-locks.conf 300 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep -q "reader saw [1-9]" "$out/job.log" || fail "the reader did not read"
# The reader's and the writer's 12 s each: a round every second of them.
assert_rounds_kept "$db" 24
r0=$(cat "$out/reader.start") r1=$(cat "$out/reader.end")
# (A blocked writer would leave the reader's 12 s, or the 5 s busy
# timeout, without a round; a loaded guest takes them up to 2.6 s apart.)
assert_true "$db" "select count(*) >= $(((r1 - r0) / 3)) and max(t2.t - t1.t) < 4 from ticks t1 join ticks t2 on t2.id = t1.id + 1
	where t1.t >= $r0 and t2.t <= $r1" "rounds written while a reader held its transaction ($r0 to $r1)"
# The writer's lock: refused rounds were kept and written later.
grep -q "cannot store samples (keeping up to" "$out/job.log" || fail "the blocked write was not logged"
assert_sql "$db" "select count(*) from events where kind = 'store-recovered' and message like '%0 round(s) dropped%'" 1 "recovery event"
echo ok
