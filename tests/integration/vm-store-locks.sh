#!/bin/sh
# Other users of the database must not cost samples. A reader holding a
# read transaction (a long `sqlite3` query, a report) for 12 s: WAL lets
# the daemon write on, every round lands in time. Then a writer holding
# the write lock for 12 s (longer than the 5 s busy timeout): rounds wait
# in memory and are all written once the lock is gone, with an event.
set -eu
. tests/lib.sh
out=build/tests/vm-store-locks
flink_share_conf build/tests/store-locks.conf
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='sleep 4
(echo "BEGIN; SELECT count(*) FROM samples;"; sleep 12; echo "COMMIT;") | sqlite3 /var/lib/gemsoak/gs.db > /tmp/reader.out
echo "reader saw $(cat /tmp/reader.out) samples"
(echo "BEGIN IMMEDIATE;"; sleep 12; echo "COMMIT;") | sqlite3 /var/lib/gemsoak/gs.db'
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_DURING
vm_run_daemon build/tests/store-locks.conf 36 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep -q "reader saw [1-9]" "$out/job.log" || fail "the reader did not read"
assert_rounds_kept "$db" 36
# The reader's 12 s (from ~4 s to ~16 s): a round stored every second.
assert_true "$db" "select max(t2.t - t1.t) < 1.9 from ticks t1 join ticks t2 on t2.id = t1.id + 1
	where t1.t < (select min(t) from ticks) + 16" "rounds written while a reader held its transaction"
# The writer's lock: refused rounds were kept and written later.
grep -q "cannot store samples (keeping up to" "$out/job.log" || fail "the blocked write was not logged"
assert_sql "$db" "select count(*) from events where kind = 'store-recovered' and message like '%0 round(s) dropped%'" 1 "recovery event"
echo ok
