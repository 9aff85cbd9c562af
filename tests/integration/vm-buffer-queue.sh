#!/bin/sh
# Real kernel, buffer-queue (BufferQueue over binder with sync_file
# fences), three runs of 45 s in one boot:
#   clean:      apps die and the compositor restarts on the seeded
#               schedule; no anomaly, binder's and the fences' counters
#               stable, death notices delivered;
#   keep-fd:    the consumer keeps one received buffer fd every 20 frames:
#               fds.dmabuf must grow at 50 per 1000 cycles (within 10 %);
#   unsignalled: the producer never signals one fence every 10 cycles and
#               keeps its sync_file: fds.sync_file must grow at 100 per
#               1000 cycles (within 10 %), and the consumer must report
#               the fences that did not signal within fence_timeout.
# The controls are capped at 200 cycles/s, so that the fds they keep stay
# well below the workers' limit of 1024 open files on a fast machine.
set -eu
. tests/lib.sh
out=build/tests/vm-buffer-queue
rm -rf "$out"
mkdir -p "$out"
conf() { # NAME KEYS...: a config of one buffer-queue workload
	name=$1
	shift
	{
		printf '[daemon]\ninterval = 1s\ntrend_window = 5s\n\n[workload bq]\ntype = buffer-queue\n'
		for k in "$@"; do printf '%s\n' "$k"; done
	} > "$out/$name.conf"
}
conf clean "producer_lifetime = 150" "consumer_lifetime = 400"
conf keep-fd "producer_lifetime = 0" "consumer_lifetime = 0" "keep_fd_every = 20" "rate = 200"
conf unsignalled "producer_lifetime = 0" "consumer_lifetime = 0" "unsignalled_every = 10" "fence_timeout = 100ms" \
	"rate = 200"
cat > "$out/job.sh" <<'JOB'
#!/bin/sh
for run in clean keep-fd unsignalled; do
	gemsoakd -c /mnt/share/$run.conf --database /tmp/$run.db --duration 45
	echo $? > /mnt/share/$run.status
	cp /tmp/$run.db /mnt/share/$run.db
	grep -E '^(BR_DEAD_BINDER|BR_TRANSACTION|BR_REPLY):' /sys/kernel/debug/binder/stats > /mnt/share/$run.binder-stats
done
exit 0
JOB
vm_boot "$out" 480
echo "--- gemsoakd logs (in the VM) ---"
cat "$out/job.log"

for run in clean keep-fd unsignalled; do
	db=$out/$run.db
	[ "$(cat "$out/$run.status")" = 0 ] || fail "$run: gemsoakd exited with $(cat "$out/$run.status")"
	# Runs of 45 s: judge them with 4 windows of 5 s, the rest of the
	# rule unchanged (as tests/integration/model-seeds.sh does).
	set_thresholds "$db" "min_span_s = 4, min_windows = 4"
	echo "--- $run: leak_trends ---"
	sqlite3 -box "$db" "select metric, first_value, last_value, slope_per_kcycle, windows, verdict from leak_trends
		where metric glob 'binder.*' or metric glob 'fds.*' or metric glob 'dmabuf.*' or metric glob 'workload.*'"
	cycles=$(sql "$db" "select last_value from leak_trends where metric = 'workload.bq.cycles'")
	echo "$run: $cycles cycles; $(tr '\n' ' ' < "$out/$run.binder-stats")"
	assert_true "$db" "select last_value >= 400 from leak_trends where metric = 'workload.bq.cycles'" "$run: >= 400 cycles"
	assert_sql "$db" "select count(*) from events where kind in ('worker-exit', 'worker-hang', 'device', 'setup')" 0 \
		"$run: no worker trouble"
	assert_true "$db" "select count(*) = 13 from leak_trends where metric glob 'binder.*' and samples >= 30" \
		"$run: binder's counters sampled"
done

db=$out/clean.db
sql "$db" "select source, kind, message from events where source != 'daemon'"
assert_sql "$db" "select count(*) from anomalies" 0 "clean: no anomalies"
for m in fds.dmabuf fds.sync_file dmabuf.objects dmabuf.fences_unsignalled drm.clients binder.procs binder.nodes \
	binder.refs binder.deaths binder.buffers binder.transactions binder.dead_nodes; do
	# Not leaking, and flat next to the controls' 50 and 100 per 1000
	# cycles (the sequential verdict may leave a flat series of 45 s
	# insufficient-data rather than stable).
	assert_true "$db" "select verdict <> 'leaking' and abs(coalesce(robust_slope, 0)) < 5 from leak_trends where metric = '$m'" "clean: $m flat"
done
echo "clean: verdicts $(sql "$db" "select group_concat(verdict || ' ' || n, ', ') from (select verdict, count(*) n from leak_trends where metric glob 'binder.*' or metric glob 'fds.*' or metric glob 'dmabuf.*' group by verdict)")"
deaths=$(sed -n 's/^BR_DEAD_BINDER: //p' "$out/clean.binder-stats")
echo "clean: $deaths death notices delivered"
[ "${deaths:-0}" -ge 4 ] || fail "clean: apps and compositor restarts delivered ${deaths:-0} death notices, expected >= 4"

db=$out/keep-fd.db
slope=$(sql "$db" "select slope_per_kcycle from leak_trends where metric = 'fds.dmabuf'")
echo "keep-fd: fds.dmabuf slope_per_kcycle = $slope (expected 50)"
assert_sql "$db" "select verdict from leak_trends where metric = 'fds.dmabuf'" leaking "keep-fd: fds.dmabuf verdict"
assert_true "$db" "select slope_per_kcycle between 45 and 55 from leak_trends where metric = 'fds.dmabuf'" \
	"keep-fd: fds.dmabuf slope within 10 % of 50"
# The other control's metric must not leak; in a run of 45 s the
# sequential verdict may still be weighing a flat series.
assert_true "$db" "select verdict <> 'leaking' from leak_trends where metric = 'fds.sync_file'" "keep-fd: fds.sync_file not leaking"
assert_sql "$db" "select count(*) from anomalies" 0 "keep-fd: no anomalies"

db=$out/unsignalled.db
slope=$(sql "$db" "select slope_per_kcycle from leak_trends where metric = 'fds.sync_file'")
echo "unsignalled: fds.sync_file slope_per_kcycle = $slope (expected 100)"
assert_sql "$db" "select verdict from leak_trends where metric = 'fds.sync_file'" leaking "unsignalled: fds.sync_file verdict"
assert_true "$db" "select slope_per_kcycle between 90 and 110 from leak_trends where metric = 'fds.sync_file'" \
	"unsignalled: fds.sync_file slope within 10 % of 100"
# The other control's metric must not leak; in a run of 45 s the
# sequential verdict may still be weighing a flat series.
assert_true "$db" "select verdict <> 'leaking' from leak_trends where metric = 'fds.dmabuf'" "unsignalled: fds.dmabuf not leaking"
n=$(sql "$db" "select count(*) from anomalies where message like '%fence_signals violated: frame %: the acquire fence%'")
echo "unsignalled: $n fence_signals anomalies recorded"
[ "$n" -ge 10 ] || fail "unsignalled: the consumer reported $n unsignalled acquire fences, expected >= 10"
assert_sql "$db" "select count(*) from anomalies where message not like '%fence_signals violated%'" 0 \
	"unsignalled: no other anomaly"
echo "ok"
