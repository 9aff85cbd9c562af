#!/bin/sh
# Real kernel, canary: one object kept every 50 cycles must show as a
# growth of 20 flink names per 1000 cycles (within 10 %).
set -eu
. tests/lib.sh
out=build/tests/vm-canary
cat > build/tests/canary.conf <<'EOF2'
[daemon]
interval = 2s
trend_window = 4s

[workload canary]
producers = 2
consumers = 2
leak_every = 50
EOF2
vm_run_daemon build/tests/canary.conf 40 "$out"
db=$out/gs.db

[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
assert_true "$db" "select samples >= 10 from leak_trends where metric = 'gem.flink_names'" "enough samples"
slope=$(sql "$db" "select slope_per_kcycle from leak_trends where metric = 'gem.flink_names'")
echo "gem.flink_names slope_per_kcycle = $slope (expected 20)"
assert_true "$db" "select slope_per_kcycle between 18 and 22 from leak_trends where metric = 'gem.flink_names'" "flink-name slope within 10 % of 20"
assert_true "$db" "select slope_per_kcycle between 18 and 22 from leak_trends where metric = 'gem.flink_handles'" "handle slope within 10 % of 20"
assert_true "$db" "select slope_per_hour > 0 from leak_trends where metric = 'gem.flink_names'" "growth per hour"
echo "ok"
