#!/bin/sh
# The leak guard on a real leaking kernel: Debian's 6.1 with seed 000's bug
# put back into drm.ko (kernel/bugs/000-*.patch), prime-share leaking
# in a 512 MB guest, so the leaked dma-bufs would use up the guest within
# minutes; the guard's floor is set 80 MB below the usable memory the
# guest has at the start, so that it is reached after about 19,000 leaked
# dma-bufs (each costs the guest about 4.3 kB): 30 to 60 s at prime-share's
# cap of 350 cycles/s of 2 objects, which keeps a fast host from reaching
# it before the 20 s a verdict needs. The run ends once the guard has
# stopped and restarted the workloads (the guest waits for the daemon's
# leak-guard-resume line, then sends SIGTERM), so a slow host only makes it
# longer; its --duration is the safety net.
# gemsoakd must outlive the leak: it stops the workloads when that
# falls below memory_floor, records how much that freed (on this kernel the
# stop is what releases the leak), restarts them when memory is back, and
# exits 0 at the end with the database intact, saying what was leaking; no
# process of the guest is killed by the OOM killer. (The guard's negative
# control, a kernel that does not leak, is tests/integration/leak-guard.sh
# on the kernel model.)
set -eu
. tests/lib.sh
out=$TOP/build/tests/vm-leak-guard
seconds=${GUARD_SECONDS:-300}
conf=$TOP/build/tests/vm-leak-guard.conf
mkdir -p "$TOP/build/tests"
cat > "$conf" <<CONF
[daemon]
interval = 1s
trend_window = 10s
memory_floor = @FLOOR@M
memory_resume = @RESUME@M

[workload prime-share]
objects = 2
size = 64K
rate = 350
CONF
# The leak fills this guest in under a minute, before the table's 60 s
# a verdict needs: a first run of one second (no workload) creates the
# database, and its verdicts are allowed after 20 s and 4 windows.
# The floor: 80 MB below MemAvailable less SReclaimable at the start.
before="usable=\$(awk '/^MemAvailable:/ { a = \$2 } /^SReclaimable:/ { r = \$2 } END { print int((a - r) / 1024) }' /proc/meminfo);
	sed -i \"s/@FLOOR@/\$((usable - 80))/; s/@RESUME@/\$((usable - 30))/\" /mnt/share/test.conf; grep memory_ /mnt/share/test.conf;
	printf '[daemon]\\ninterval = 1s\\n' > /tmp/empty.conf;
	gemsoakd -c /tmp/empty.conf --database /var/lib/gemsoak/gs.db --duration 1 >/dev/null 2>&1;
	sqlite3 /var/lib/gemsoak/gs.db 'update trend_thresholds set min_span_s = 20, min_windows = 4'"
VM_DISK=1 GS_VM_MEM=512 GS_VM_INITRD=$TOP/build/vm/initramfs-bugs.cpio.gz GS_VM_APPEND=gs.modules=000 \
	VM_AFTER="dmesg > /mnt/share/dmesg.txt" VM_BEFORE="grep MemTotal /proc/meminfo; $before" \
	VM_DURING="while kill -0 \$daemon 2>/dev/null; do grep -E '^(MemFree|MemAvailable|SReclaimable):' /proc/meminfo | tr -s ' \n' ' ' >> /mnt/share/meminfo.log; echo >> /mnt/share/meminfo.log; sleep 1; done &
	until grep -q 'leak-guard-resume' /mnt/share/job.log || ! kill -0 \$daemon 2>/dev/null; do sleep 0.5; done; kill -TERM \$daemon" \
	vm_run_daemon "$conf" "$seconds" "$out" > "$out.log" 2>&1 || { cat "$out.log"; fail "the VM run failed"; }
cat "$out.log" | grep -v 'unexpected-errno' | tail -n 40
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited $(cat "$out/gemsoakd.status")"
assert_sql "$db" "pragma integrity_check" ok "database integrity"
# The lowest memory the guest had, read every second: MemFree,
# MemAvailable, SReclaimable and the usable memory the guard judges.
awk 'NF >= 8 { u = $5 - $8; if (!n++ || u < min) { min = u; line = $0 } }
	END { print "lowest usable memory: " min " kB (" line ")" }' "$out/meminfo.log"
if grep "Out of memory\|oom-kill" "$out/dmesg.txt"; then
	fail "the OOM killer had to act"
fi
stops=$(sql "$db" "select count(*) from events where kind = 'leak-guard'")
freed=$(sql "$db" "select message from events where kind = 'leak-guard-freed' order by id limit 1")
resumes=$(sql "$db" "select count(*) from events where kind = 'leak-guard-resume'")
echo "guard stops: $stops, resumes: $resumes; first: $freed"
[ "$stops" -ge 1 ] || fail "the guard never stopped the workloads"
[ "$resumes" -ge 1 ] || fail "the workloads were never restarted"
n=$(echo "$freed" | sed -n 's/.*dmabuf.objects [0-9]* -> [0-9]* (freed \([0-9-]*\)).*/\1/p')
[ -n "$n" ] && [ "$n" -ge 1000 ] || fail "the stop freed '${n:-?}' dma-bufs, expected the leak (over 1000)"
leaking=$(sql "$db" "select value from run_props where key = 'leak_guard.1.leaking'")
echo "leaking when the guard stopped the workloads: $leaking"
case "$leaking" in *dmabuf.objects*) ;; *) fail "dmabuf.objects not leaking when stopped ('$leaking')" ;; esac
echo ok
