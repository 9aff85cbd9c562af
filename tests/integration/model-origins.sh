#!/bin/sh
# The origins source where BPF has nothing to trace: under the kernel
# model the device is no node of the running kernel, so the source says
# so once (a source-unavailable event with the reason), records nothing,
# and the run goes on; the daemon exits 0. Its positive case is
# tests/integration/vm-origins.sh, on the real kernel.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s model all
out=$TOP/build/tests/model-origins
conf=$TOP/build/tests/model-origins.conf
mkdir -p "$TOP/build/tests"
printf '[daemon]\ndevice = @DEVICE@\ndebugfs = @DEBUGFS@\ninterval = 1s\norigins_objects = 65536\n\n[workload canary]\nrate = 50\nleak_every = 10\n' > "$conf"
model_run_daemon "$conf" 4 "$out" > "$out.log" 2>&1 || { cat "$out.log"; fail "the model run failed"; }
db=$out/gs.db
[ "$(cat "$out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited $(cat "$out/gemsoakd.status")"
why=$(sql "$db" "select count(*) || '|' || group_concat(message) from events where kind = 'source-unavailable' and message like 'origins%'")
echo "model: origins source-unavailable events: $why"
[ "${why%%|*}" = 1 ] || fail "the origins source's unavailability not said exactly once ($why)"
case $why in *"not a DRM device node of the running kernel"*) ;; *) fail "the reason does not say the device is not the kernel's ($why)" ;; esac
assert_sql "$db" "select count(*) from object_origins" 0 "nothing recorded as origins"
assert_true "$db" "select count(*) >= 3 from ticks" "sampling went on"
# gemsoak origins says why there is nothing.
EXPECT_DIR=$out
expect 0 '^no object alive from a traced origin in run 1: origins unavailable.*not a DRM device node' \
	"$TOP/build/gemsoak" origins -D "$db"
"$TOP/build/gemsoak" report -D "$db" --out "$out/report.html" > /dev/null
grep -A2 '<h2>Origins</h2>' "$out/report.html" | grep -q '<p>origins unavailable.*not a DRM device node' ||
	fail "the report's origins section does not say why nothing was traced"
echo ok
