#!/bin/sh
# Real kernel, clean: flink-share with 2 producers and 4 consumers for 40 s
# on vgem. The kernel has the fixes, so nothing may grow.
set -eu
. tests/lib.sh
out=build/tests/vm-flink-share
flink_share_conf build/tests/flink-share.conf 2 4 'interval = 2s
trend_window = 4s'
vm_run_daemon build/tests/flink-share.conf 40 "$out"
db=$out/gs.db

[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
assert_sql "$db" "pragma integrity_check" ok "database integrity"
assert_sql "$db" "select kernel_release like '6.%' and driver = 'vgem' from runs" 1 "run metadata"
assert_true "$db" "select stopped > started from runs" "the run was closed"
# Work was done and every metric was sampled at least 10 times.
assert_true "$db" "select last_value > 1000 from leak_trends where metric = 'workload.flink-share.cycles'" "cycles > 1000"
for m in gem.flink_names gem.flink_handles gem.flink_refcount drm.clients dmabuf.objects dmabuf.bytes \
	 mem.shmem_kb mem.slab_kb mem.sunreclaim_kb daemon.rss_kb daemon.fds workload.flink-share.cycles; do
	assert_true "$db" "select samples >= 10 from leak_trends where metric = '$m'" "$m has >= 10 samples"
done
# No growth beyond noise: at most one name in flight per producer.
assert_true "$db" "select $(series gem.flink_names 'max(s.value)') <= 2" "flink names stay <= producers"
# The detector's verdict, not a slope: in 40 s the names in flight settle
# from 0-2 to 2 as the consumers come up (floors 0, 1, 1, 1, 2, 2, 2 in one
# run: a robust slope of 0.066 per 1000 cycles, over the threshold), which
# a run this short cannot tell from growth; it must not call it a leak.
for m in gem.flink_names gem.flink_handles gem.flink_refcount; do
	echo "$m: $(sql "$db" "select verdict || ', robust slope ' || robust_slope || ' per 1000 cycles' from leak_trends where metric = '$m'")"
	assert_true "$db" "select verdict <> 'leaking' from leak_trends where metric = '$m'" "$m not leaking"
done
assert_true "$db" "select $(series dmabuf.objects 'max(s.value)') = 0" "no dma-bufs"
# Every process is a DRM client: 6 while running, none left over.
assert_true "$db" "select $(series drm.clients 'max(s.value)') = 6" "6 DRM clients"
assert_sql "$db" "select count(*) from events where kind in ('worker-exit', 'source-unavailable')" 0 "no worker deaths or missing sources"
assert_sql "$db" "select count(*) from metrics where name like 'workload.%.errors.%'" 0 "no ioctl errors"
echo "ok"
