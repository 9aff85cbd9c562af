#!/bin/sh
# The daemon runs for weeks, so it must not leak: run gemsoakd under
# valgrind's memcheck on the real kernel for 90 s of sampling, worker
# restarts (one worker killed) and a clean stop; memcheck must report no
# errors and no definitely or indirectly lost block in the daemon.
set -eu
. tests/lib.sh
out=build/tests/vm-valgrind
# Without the origins' BPF tracing: its CO-RE relocations parse the
# kernel's 5 MB of BTF at the first round, which took memcheck 38 s on
# the host (0.3 s without it) and would take the guest minutes.
flink_share_conf build/tests/valgrind.conf 1 1 'interval = 2s
origins_objects = 0'
cat >> build/tests/valgrind.conf <<'EOF2'
rate = 200

[workload canary]
leak_every = 50
rate = 100
EOF2
# Workers are forked from the daemon and so run under memcheck too; their
# output is silenced (--child-silent-after-fork): the daemon is under test.
VM_WRAP="env VALGRIND_LIB=/usr/libexec/valgrind valgrind.bin --extra-debuginfo-path=/usr/lib/debug --leak-check=full \
 --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
 --error-exitcode=99 --child-silent-after-fork=yes --log-file=/mnt/share/valgrind.log"
# memcheck's start-up can take half a minute on a busy host: wait for the
# canary's worker and some of its rounds before killing it, then for the
# restart and 10 rounds in all (under memcheck and TCG a busy host gave 4
# in 144 s), and stop the daemon.
# shellcheck disable=SC2016,SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='i=0; until pidof gs:canary > /dev/null || [ $i -ge 90 ]; do sleep 1; i=$((i + 1)); done
wait_sql "select count(*) >= 3 from ticks"
kill -KILL $(pidof gs:canary)
wait_sql "select count(*) >= 1 from events where kind = '"'worker-restart'"'"
wait_sql "select count(*) >= 10 from ticks"
kill -TERM $daemon'
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_WRAP VM_DURING
GS_VM_INITRD=$TOP/build/vm/initramfs-valgrind.cpio.gz
export GS_VM_INITRD
# The run ends once its steps are recorded (--duration 600 only bounds
# it); the guest may take 15 minutes in all: memcheck's start and its leak
# check at the exit took the guest past 270 s beside two other guests.
VM_LIMIT=900 vm_run_daemon build/tests/valgrind.conf 600 "$out"
echo "--- valgrind ---"
cat "$out/valgrind.log"
status=$(cat "$out/gemsoakd.status")
[ "$status" != 99 ] || fail "memcheck found errors or leaks in gemsoakd (see above)"
[ "$status" = 0 ] || fail "gemsoakd under valgrind exited with $status"
grep -q "ERROR SUMMARY: 0 errors" "$out/valgrind.log" || fail "no clean memcheck summary"
grep -q "definitely lost: 0 bytes" "$out/valgrind.log" || \
	grep -q "All heap blocks were freed" "$out/valgrind.log" || fail "memcheck reports lost memory"
db=$out/gs.db
assert_true "$db" "select count(*) >= 10 from ticks" "the daemon sampled under valgrind"
assert_true "$db" "select count(*) >= 1 from events where kind = 'worker-restart'" "the killed worker was restarted"
echo ok
