#!/bin/sh
# Anomalies reach the events table with what it takes to reproduce them:
# on the real kernel, each workload's test hook reports one of its promises
# as violated, a restart command hangs (lateness) and another fails, a
# worker dies by SIGSEGV; the anomalies views count them. Before the run, a workload whose
# capability is missing (a second device, DRM master while another file
# holds it) is refused at --check-config naming the capability.
set -eu
. tests/lib.sh
out=build/tests/vm-anomalies
mkdir -p build/tests
cat > build/tests/anomalies.conf <<'EOF2'
[daemon]
interval = 2s

[workload prime-share]
test_hook_violate = same_handle_on_reimport

[workload self-import]
test_hook_violate = same_dmabuf_on_reexport

[workload export-close-race]
test_hook_violate = handle_gone

[workload flink-close-race]
test_hook_violate = same_name_on_reflink

[workload x-restart]
processes = 1
test_hook_violate = size_matches

[workload hung-restart]
type = display-server
command = sleep 5
timeout = 1s

[workload failing-restart]
type = display-server
command = exit 3
rate = 2
EOF2
VM_BEFORE=$(cat <<'VM'
printf '[workload prime-share]\ndevice2 = /dev/dri/card7\n' > /tmp/dev2.conf
gemsoakd --check-config /tmp/dev2.conf > /mnt/share/refuse.log 2>&1; echo "dev2 exit $?" >> /mnt/share/refuse.log
printf '[workload prime-share]\ndevice2 = auto\n' > /tmp/auto2.conf
gemsoakd --check-config /tmp/auto2.conf >> /mnt/share/refuse.log 2>&1; echo "auto2 exit $?" >> /mnt/share/refuse.log
printf '[workload x-restart]\n' > /tmp/master.conf
sleep 30 < /dev/dri/card0 &
holder=$!
# the holder is master once its stdin is the card
i=0
until [ "$(readlink /proc/$holder/fd/0)" = /dev/dri/card0 ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
gemsoakd --check-config /tmp/master.conf >> /mnt/share/refuse.log 2>&1; echo "master exit $?" >> /mnt/share/refuse.log
kill $holder
wait $holder
VM
)
# A prime-share worker killed by SIGSEGV once the daemon has started one
# (a fixed wait fired before the daemon was ready on a busy host).
# shellcheck disable=SC2016 # shell text the guest runs: its quotes and $ are for the guest
VM_DURING='i=0; until w=$(pidof gs:prime-share) || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -SEGV ${w%% *}'
export VM_BEFORE VM_DURING
vm_run_daemon build/tests/anomalies.conf 16 "$out"
db=$out/gs.db

echo "--- refusals ---"
cat "$out/refuse.log"
grep -q "needs a second device with PRIME import: /dev/dri/card7" "$out/refuse.log" || fail "missing second device not named"
grep -q "^dev2 exit 78$" "$out/refuse.log" || fail "missing second device: exit status"
grep -q "needs a second device with PRIME import: device2 = auto: no other DRM device imports PRIME buffers from /dev/dri/card0" \
	"$out/refuse.log" || fail "device2 = auto with one device: not refused by name"
grep -q "^auto2 exit 78$" "$out/refuse.log" || fail "device2 = auto with one device: exit status"
grep -q "workload x-restart (x-restart) needs DRM master (SET_MASTER, AUTH_MAGIC), which /dev/dri/card0 (driver vgem) does not offer" \
	"$out/refuse.log" || fail "master held elsewhere: not refused by name"
grep -q "^master exit 78$" "$out/refuse.log" || fail "master held elsewhere: exit status"

[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$out/gemsoakd.status")"
sql "$db" "select workload, kind, message from anomalies"
sql "$db" "select * from anomalies_per_hour"
for p in prime-share:same_handle_on_reimport self-import:same_dmabuf_on_reexport \
	 export-close-race:handle_gone flink-close-race:same_name_on_reflink x-restart:size_matches; do
	w=${p%%:*} promise=${p#*:}
	assert_true "$db" "select count(*) >= 1 from anomalies where workload = '$w' and kind = 'promise'
		and (message like 'process _: $promise violated (test hook): %cycle %'
		     or message like 'process _: $promise violated (test hook): generation %')" "$w reports $promise with process and cycle"
done
assert_true "$db" "select count(*) >= 1 from anomalies where workload = 'export-close-race'
	and message like '%-vs-close, cycle % handle % still exports%'" "the race and handle are named"
# A hung restart command is late (a timing expectation), not a broken promise.
assert_true "$db" "select count(*) >= 3 from lateness where workload = 'hung-restart' and kind = 'restart-timeout'
	and message like 'process 0: generation %: ''sleep 5'' still running after 1 s; killed'" "hung restart command"
assert_sql "$db" "select count(*) from anomalies where workload = 'hung-restart' and kind = 'restart-timeout'" 0 \
	"a hung restart command is not an anomaly"
assert_true "$db" "select count(*) >= 3 from anomalies where workload = 'failing-restart' and kind = 'restart-failed'
	and message like '%''exit 3'' exited with status 3'" "failing restart command"
assert_sql "$db" "select count(*) from anomalies where kind = 'worker-exit' and message like 'process _ killed by signal SEGV%'" 1 "worker death by signal"
# The hook is the only source of promise anomalies: no other promise broke.
assert_sql "$db" "select count(*) from anomalies where kind = 'promise' and message not like '%(test hook)%'" 0 "no real violations"
assert_sql "$db" "select count(*) from anomalies where kind = 'unexpected-errno'" 0 "no undocumented errno"
assert_true "$db" "select (select sum(anomalies) from anomalies_per_hour) = (select count(*) from anomalies)" "per-hour counts add up"
# The CLI shows them and says so in its exit status.
run_rc "$TOP/build/gemsoak" anomalies -D "$db" --last 2 > "$out/cli.txt"
cat "$out/cli.txt"
[ $rc = 1 ] || fail "gemsoak anomalies: exit $rc with anomalies, expected 1"
grep -q "^run 1  hour 0  x-restart  promise  [0-9]*$" "$out/cli.txt" || fail "gemsoak anomalies: no per-hour row"
[ "$(grep -c "^20..-..-.. ..:..:..  " "$out/cli.txt")" = 2 ] || fail "gemsoak anomalies --last 2: not 2 messages"
echo ok
