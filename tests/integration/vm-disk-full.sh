#!/bin/sh
# The database's filesystem fills up while the daemon runs: the workloads
# keep running, rounds wait in memory, and when space is back they are all
# written (none dropped, none lost), with an event saying what happened.
# The guest fills the disk once rounds are stored, keeps it full for 8 s
# after the daemon said so, and ends the daemon once it recovered.
set -eu
. tests/lib.sh
out=build/tests/vm-disk-full
flink_share_conf build/tests/disk-full.conf
VM_BEFORE='mkdir -p /tmp/small && mount -t tmpfs -o size=2m tmpfs /tmp/small'
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='wait_sql "select count(*) >= 3 from ticks"
dd if=/dev/zero of=/tmp/small/fill bs=4k 2>/dev/null
i=0; until grep -q "cannot store samples" /mnt/share/job.log || [ $i -ge 1500 ]; do usleep 200000; i=$((i + 1)); done
sleep 8; rm /tmp/small/fill
wait_sql "select count(*) >= 1 from events where kind = '"'store-recovered'"'"
kill -TERM $daemon'
VM_DB=/tmp/small/gs.db
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_BEFORE VM_DURING VM_DB
vm_run_daemon build/tests/disk-full.conf 300 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep -q "cannot store samples (keeping up to" "$out/job.log" || fail "the failure was not logged"
assert_sql "$db" "select count(*) from events where kind = 'store-recovered' and message like '%0 round(s) dropped%'" 1 "recovery event"
# One round per second, the 8 s of the full disk among them: nothing lost.
assert_rounds_kept "$db" 11
assert_true "$db" "select last_value > first_value from leak_trends where metric = 'workload.flink-share.cycles'" "the workload kept running"
echo ok
