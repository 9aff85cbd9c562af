#!/bin/sh
# `user =` on the real kernel: workers run as an unprivileged account
# that reaches /dev/dri through its group, while the daemon keeps root
# and samples debugfs; once the node's permissions shut the account out,
# restarted workers report it by name instead of running as root.
set -eu
. tests/lib.sh
out=build/tests/vm-user
flink_share_conf build/tests/user.conf 1 1 'interval = 1s
user = soak'
# shellcheck disable=SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_BEFORE='echo "root:x:0:0::/root:/bin/sh" > /etc/passwd
echo "soak:x:1000:1000::/tmp:/bin/sh" >> /etc/passwd
printf "root:x:0:\nsoak:x:1000:\nvideo:x:44:soak\n" > /etc/group
chgrp video /dev/dri/card0 && chmod 660 /dev/dri/card0'
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='wait_sql "select max(cycles) > 100 from ticks"
for p in $(pidof gs:flink-share); do awk "/^Uid:/ { print \$2 }" /proc/$p/status; done > /mnt/share/worker-uids
awk "/^Uid:/ { print \$2 }" /proc/$daemon/status > /mnt/share/daemon-uid
chmod 600 /dev/dri/card0
kill -KILL $(pidof gs:flink-share)
wait_sql "select count(*) >= 1 from events where kind = '"'device'"' and message like '"'%Permission denied%'"'"
kill -TERM $daemon'
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_BEFORE VM_DURING
vm_run_daemon build/tests/user.conf 300 "$out"
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
[ "$(sort -u "$out/worker-uids")" = 1000 ] || fail "workers ran as uid(s) $(cat "$out/worker-uids"), expected 1000"
[ "$(wc -l < "$out/worker-uids")" = 2 ] || fail "expected two workers"
[ "$(cat "$out/daemon-uid")" = 0 ] || fail "the daemon dropped root"
assert_true "$db" "select max(cycles) > 100 from ticks" "the unprivileged workers did their work"
assert_true "$db" "select $(series gem.flink_names 'count(*)') > 0" "the daemon still read debugfs"
assert_true "$db" "select count(*) >= 1 from events where kind = 'device' and message like '%Permission denied%'" "the locked-out worker says why"
echo ok
