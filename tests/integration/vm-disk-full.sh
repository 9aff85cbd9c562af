#!/bin/sh
# The database's filesystem fills up while the daemon runs: the workloads
# keep running, rounds wait in memory, and when space is back they are all
# written (none dropped, none lost), with an event saying what happened.
set -eu
. tests/lib.sh
out=build/tests/vm-disk-full
flink_share_conf build/tests/disk-full.conf
VM_BEFORE='mkdir -p /tmp/small && mount -t tmpfs -o size=2m tmpfs /tmp/small'
VM_DURING='sleep 5; dd if=/dev/zero of=/tmp/small/fill bs=4k 2>/dev/null; sleep 8; rm /tmp/small/fill'
VM_DB=/tmp/small/gs.db
export VM_BEFORE VM_DURING VM_DB
vm_run_daemon build/tests/disk-full.conf 22 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep -q "cannot store samples (keeping up to" "$out/job.log" || fail "the failure was not logged"
assert_sql "$db" "select count(*) from events where kind = 'store-recovered' and message like '%0 round(s) dropped%'" 1 "recovery event"
# One round per second for 22 s plus the first and the last: nothing lost.
assert_rounds_kept "$db" 22
assert_true "$db" "select last_value > first_value from leak_trends where metric = 'workload.flink-share.cycles'" "the workload kept running"
echo ok
