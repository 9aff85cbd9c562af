#!/bin/sh
# The unit tests under ASan+UBSan, and gemsoakd built with them running
# flink-share and the canary on the real kernel: no sanitizer report, and
# LeakSanitizer finds nothing the daemon forgot to free at exit.
set -eu
. tests/lib.sh
make -s unit-sanitize 2>&1 | tee build/tests/unit-sanitize.log
grep -q "runtime error\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer" build/tests/unit-sanitize.log &&
	fail "sanitizer report in the unit tests"
asan_initrd=build/asan/vm/initramfs.cpio.gz
mkdir -p build/asan/vm
tests/vm/mkinitramfs.sh "$(tests/vm/fetch-kernel.sh)" "$asan_initrd" build/asan/gemsoakd
flink_share_conf build/tests/sanitizers.conf 1 2
cat >> build/tests/sanitizers.conf <<'EOF2'

[workload canary]
leak_every = 100
EOF2
GS_VM_INITRD=$asan_initrd
export GS_VM_INITRD
# Reloads while it runs: a drop-in starts a workload, changes it, is
# refused when broken, and removed (each config is freed and replaced).
# Each SIGHUP waits for the daemon's answer to the one before (its log
# line): two signals pending at once are one reload.
dropin=/mnt/share/conf.d/20-extra.conf
VM_DURING="answered() { i=0; until [ \$(grep -c 'config-reload' /mnt/share/job.log) -ge \$1 ] || [ \$i -ge 600 ]; do sleep 0.1; i=\$((i + 1)); done; }
i=0; until grep -q '^gemsoakd: ready' /mnt/share/job.log || [ \$i -ge 600 ]; do sleep 0.1; i=\$((i + 1)); done
mkdir -p /mnt/share/conf.d
printf '[workload extra]\\ntype = flink-share\\n' > $dropin; kill -HUP \$daemon; answered 1
printf '[workload extra]\\ntype = flink-share\\nproducers = 2\\n' > $dropin; kill -HUP \$daemon; answered 2
printf '[workload extra]\\nproducers = x\\n' > $dropin; kill -HUP \$daemon; answered 3
rm $dropin; kill -HUP \$daemon; answered 4"
export VM_DURING
vm_run_daemon build/tests/sanitizers.conf 30 build/tests/vm-sanitizers
log=build/tests/vm-sanitizers/job.log
if grep -q "runtime error\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer" "$log"; then
	fail "sanitizer report from gemsoakd (see $log)"
fi
[ "$(cat build/tests/vm-sanitizers/gemsoakd.status)" = 0 ] || fail "gemsoakd under ASan exited with $(cat build/tests/vm-sanitizers/gemsoakd.status)"
# Rounds come late under ASan in a guest on a loaded host (11 of 30 at
# load 9): that it samples at all is the point.
assert_true build/tests/vm-sanitizers/gs.db "select count(*) >= 5 from ticks" "the ASan daemon sampled"
assert_sql build/tests/vm-sanitizers/gs.db "select group_concat(kind, ' ') from events where kind like 'config-reload%'" \
	"config-reloaded config-reloaded config-reload-failed config-reloaded" "the reloads under ASan"

# The i915 paths (probe, context-churn, the i915 sources) against the kernel
# model; the shim is preloaded ahead of the ASan runtime, which is fine.
. tests/model/lib.sh
make -s model
GEMSOAKD=$TOP/build/asan/gemsoakd
ASAN_OPTIONS=verify_asan_link_order=0
export ASAN_OPTIONS
model_run_daemon tests/model/seed-004.conf 6 build/tests/model-sanitizers --without-fix 004
if grep -q "runtime error\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer" build/tests/model-sanitizers/daemon.log; then
	fail "sanitizer report from gemsoakd on the model (see build/tests/model-sanitizers/daemon.log)"
fi
assert_true build/tests/model-sanitizers/gs.db "select last_value > 100 from leak_trends where metric = 'i915.vmas_ppgtt'" "the ASan daemon ran context-churn"
echo ok
