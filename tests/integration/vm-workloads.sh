#!/bin/sh
# Real kernel, clean: every sharing workload (prime-share also across to
# the render node as its second device, x-restart and display-server with a restart
# command) runs on vgem until each did its cycles (24 s on a quiet host). The kernel has the fixes: no anomaly,
# only documented errnos, no growth of flink names or dma-bufs. Before the
# run, every shipped config passes --check-config there, with the device.
set -eu
. tests/lib.sh
out=build/tests/vm-workloads
mkdir -p build/tests
cat > build/tests/workloads.conf <<'EOF2'
[daemon]
interval = 2s

[workload prime-share]
processes = 2
objects = 2

[workload prime-render]
type = prime-share
device2 = /dev/dri/renderD128
close_order = fd,importer,exporter
seed = 7

[workload self-import]
objects = 2

[workload export-close-race]
threads = 3

[workload flink-close-race]
threads = 3

[workload x-restart]
processes = 3
size = 1M

# Beside x-restart, flink-share must leave master alone too.
[workload flink-share]
producers = 1
consumers = 2

[workload restart-cmd]
type = display-server
command = true
rate = 20
EOF2
# The shipped configs travel inside job.sh (only the output directory is shared).
VM_BEFORE="mkdir -p /tmp/cfg"
for c in configs/*.conf; do
	# shellcheck disable=SC2089 # shell text the guest runs: its quotes and $ are for the guest
	VM_BEFORE="$VM_BEFORE
cat > /tmp/cfg/$(basename "$c") <<'CFG'
$(cat "$c")
CFG"
done
VM_BEFORE="$VM_BEFORE
for c in /tmp/cfg/*.conf; do gemsoakd --check-config \$c >> /mnt/share/check.log 2>&1 || echo \"FAILED \$c\" >> /mnt/share/check.log; done"
# The run ends once every workload did the cycles checked below (24 s
# on a quiet host; a loaded one takes longer, with the probe's pauses).
least="select count(*) = 8 from (select substr(m.name, 10) as name, max(s.value) as v from samples s
	join metrics m on m.id = s.metric_id where m.name glob 'workload.*.cycles' group by m.name)
	where (name in ('prime-share.cycles', 'prime-render.cycles', 'self-import.cycles', 'export-close-race.cycles',
	'flink-close-race.cycles') and v > 1000) or (name = 'x-restart.cycles' and v > 20)
	or (name = 'flink-share.cycles' and v > 50) or (name = 'restart-cmd.cycles' and v > 40)"
# shellcheck disable=SC2089 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING="wait_sql \"$least\"
kill -TERM \$daemon"
# shellcheck disable=SC2090 # shell text the guest runs: its quotes and $ are for the guest
export VM_BEFORE VM_DURING
vm_run_daemon build/tests/workloads.conf 300 "$out"
db=$out/gs.db

echo "--- --check-config in the VM ---"
cat "$out/check.log"
# vgem has no i915 contexts: the i915-only configs must be refused for
# exactly that, by name; every other config must pass.
n=$(ls configs/*.conf | wc -l)
n915=$(grep -l '^\[workload context-churn\]' configs/*.conf | wc -l)
[ "$(grep -c ': ok (' "$out/check.log")" = $((n - n915)) ] || fail "not every config passed --check-config with the device"
[ "$(grep -c 'needs i915 contexts and execbuf, which /dev/dri/card0 (driver vgem) does not offer' "$out/check.log")" = "$n915" ] ||
	fail "the i915-only configs were not refused by the capability's name"
[ "$(grep -c FAILED "$out/check.log")" = "$n915" ] || fail "a config failed --check-config"
! grep -q "not present here" "$out/check.log" || fail "a config was not checked against the device"

[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
sql "$db" "select source, kind, message from events where source != 'daemon'"
assert_sql "$db" "select count(*) from anomalies" 0 "no anomalies"
assert_sql "$db" "select count(*) from events where kind in ('worker-exit', 'worker-hang', 'device', 'setup')" 0 "no worker trouble"
for w in prime-share prime-render self-import export-close-race flink-close-race; do
	assert_true "$db" "select last_value > 1000 from leak_trends where metric = 'workload.$w.cycles'" "$w: > 1000 cycles"
done
assert_true "$db" "select last_value > 20 from leak_trends where metric = 'workload.x-restart.cycles'" "x-restart: > 20 server generations"
assert_true "$db" "select last_value > 50 from leak_trends where metric = 'workload.flink-share.cycles'" "flink-share ran beside x-restart"
assert_true "$db" "select last_value > 40 from leak_trends where metric = 'workload.restart-cmd.cycles'" "restart command ran"
# The races were really run: they lost some races the documented way.
assert_true "$db" "select last_value > 0 from leak_trends where metric = 'workload.export-close-race.errors.PRIME_HANDLE_TO_FD.ENOENT'" "export lost races to close"
assert_true "$db" "select last_value > 0 from leak_trends where metric = 'workload.flink-close-race.errors.GEM_OPEN.ENOENT'" "open lost races to close"
# Only documented errnos were counted at all.
assert_sql "$db" "select group_concat(name) from metrics where name like 'workload.%.errors.%'
	and name not in ('workload.export-close-race.errors.PRIME_HANDLE_TO_FD.ENOENT',
	                 'workload.export-close-race.errors.GEM_CLOSE.EINVAL',
	                 'workload.flink-close-race.errors.GEM_OPEN.ENOENT',
	                 'workload.flink-close-race.errors.GEM_FLINK.ENOENT',
	                 'workload.flink-close-race.errors.GEM_CLOSE.EINVAL',
	                 'workload.x-restart.errors.SET_MASTER.EBUSY')" "" "no undocumented errors"
# Nothing grows. In a 24 s run the in-flight noise hides a slope, so the
# check is a bound on what can be in flight at once, which a leak of even one
# object per 1000 of the ~30000 cycles would exceed. Flink names: one per
# flink-share producer, flink-close-race process and x-restart object (a
# server generation exits before the next starts). Dma-bufs: prime-share's
# objects of two cycles per pair (2 x 2 x 2, and 1 x 2 x 2 for prime-render),
# self-import's two exports, the partner's and one in the socket per process
# (2 x 4), export-close-race's one plus one per racer (4): 24.
assert_true "$db" "select $(series gem.flink_names 'max(s.value)') <= 3" "flink names stay within what is in flight"
assert_true "$db" "select $(series dmabuf.objects 'max(s.value)') <= 24" "dma-bufs stay within what is in flight"
# Every workload's seed is recorded with the run.
assert_sql "$db" "select count(*) from run_props where key like 'seed.%'" 8 "seeds recorded"
assert_sql "$db" "select value from run_props where key = 'seed.prime-render'" 7 "the configured seed"
run_rc "$TOP/build/gemsoak" anomalies -D "$db" > "$out/cli.txt"
[ $rc = 0 ] && [ "$(cat "$out/cli.txt")" = "no anomalies" ] || fail "gemsoak anomalies: exit $rc, $(cat "$out/cli.txt")"
echo ok
