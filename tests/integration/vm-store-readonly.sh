#!/bin/sh
# The database's filesystem turns read-only under the daemon, then
# writable again: the workloads keep running, rounds wait in memory, the
# failure is logged naming the cause, and when the filesystem is writable
# again every round is written (none dropped), with an event saying so.
set -eu
. tests/lib.sh
out=build/tests/vm-store-readonly
flink_share_conf build/tests/store-readonly.conf
# A plain `mount -o remount,ro` is refused while the database is open for
# writing; the kernel's emergency remount (sysrq u) is not: it forces every
# block-backed filesystem read-only, open files or not. So the database
# lives on a small filesystem on a loop device (busybox makes it ext2; the
# ext4 driver mounts it); the initramfs root is not block-backed and stays
# writable. mounts.ro records that the remount really happened.
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_BEFORE='dd if=/dev/zero of=/tmp/db.img bs=1M count=16 2>/dev/null && loop=$(losetup -f) &&
losetup $loop /tmp/db.img && mke2fs -q $loop && mkdir -p /tmp/db && mount -t ext4 $loop /tmp/db ||
echo "cannot mount the loop filesystem"'
# The emergency remount runs in the kernel's own time: wait for it. The
# daemon ends once its recovery is stored.
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='wait_sql "select count(*) >= 3 from ticks"
echo u > /proc/sysrq-trigger
i=0; until grep -q " /tmp/db [^ ]* ro[ ,]" /proc/mounts || [ $i -ge 100 ]; do usleep 100000; i=$((i + 1)); done
grep " /tmp/db " /proc/mounts > /mnt/share/mounts.ro
sleep 7; mount -o remount,rw /tmp/db; grep " /tmp/db " /proc/mounts > /mnt/share/mounts.rw
wait_sql "select count(*) >= 1 from events where kind = '"'store-recovered'"'"
kill -TERM $daemon'
VM_DB=/tmp/db/gs.db
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_BEFORE VM_DURING VM_DB
vm_run_daemon build/tests/store-readonly.conf 300 "$out"
db=$out/gs.db
grep -q " ro[ ,]" "$out/mounts.ro" || fail "the filesystem was not made read-only: $(cat "$out/mounts.ro")"
grep -q " rw[ ,]" "$out/mounts.rw" || fail "the filesystem was not made writable again: $(cat "$out/mounts.rw")"
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
grep "cannot store samples (keeping up to" "$out/job.log" | grep -q "read-only" ||
	fail "the failure was not logged naming the read-only filesystem"
assert_sql "$db" "select count(*) from events where kind = 'store-recovered' and message like '%read-only%0 round(s) dropped%'" 1 "recovery event"
# One round per second, the 7 s read-only among them: nothing lost.
assert_rounds_kept "$db" 10
assert_true "$db" "select last_value > first_value from leak_trends where metric = 'workload.flink-share.cycles'" "the workload kept running"
echo ok
