#!/bin/sh
# The database file is removed while the daemon runs (a careless rm, a
# cleanup job): the daemon notices within a round, creates the database
# again at its path and records on there in a new run, with an event
# saying what happened, instead of writing into the deleted file.
set -eu
. tests/lib.sh
out=build/tests/vm-store-removed
flink_share_conf build/tests/store-removed.conf
# shellcheck disable=SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='sleep 6; rm /var/lib/gemsoak/gs.db /var/lib/gemsoak/gs.db-wal /var/lib/gemsoak/gs.db-shm; echo "removed the database"'
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_DURING
vm_run_daemon build/tests/store-removed.conf 20 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep -q "removed the database" "$out/job.log" || fail "the database was not removed"
assert_sql "$db" "pragma integrity_check" ok "the new database's integrity"
assert_sql "$db" "select count(*) from events where kind = 'store-replaced' and message like '/var/lib/gemsoak/gs.db was removed%'" 1 "the removal is an event in the new database"
# Recording went on: from the round after the removal (~6 s) to the end (20 s).
assert_true "$db" "select count(*) >= 12 from ticks" "rounds recorded after the removal"
assert_true "$db" "select max(t2.t - t1.t) < 1.9 from ticks t1 join ticks t2 on t2.id = t1.id + 1" "no round missing in the new file"
assert_true "$db" "select last_value > first_value from leak_trends where metric = 'workload.flink-share.cycles'" "the workload kept running"
echo ok
