#!/bin/sh
# Runs across restarts against the kernel model: a restart on the same
# host, device and boot continues the run; a run of another host (merged
# in, or with a changed host name), device or boot does not, and the
# new-run event says why. Each case changes one fact of the last run in a
# copy of the database, so it is the check of that fact that decides.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
GS=$TOP/build/gemsoak
out=$TOP/build/tests/run-continuation
rm -rf "$out"
mkdir -p "$out"
trap model_stop EXIT
model_start "$out"
model_flink_conf "$out/test.conf" "$out"
gsd() {
	GS_MODEL_SOCKET=$out/sock GS_MODEL_DEV=$out/card0 LD_PRELOAD=$MODEL_SHIM \
		"$GEMSOAKD" -c "$out/test.conf" --database "$1" --duration 2s > "$out/daemon.log" 2>&1 ||
		{ cat "$out/daemon.log"; fail "gemsoakd on $1"; }
}

gsd "$out/base.db"
assert_sql "$out/base.db" "select value = '$(cat /proc/sys/kernel/random/boot_id)' from run_props where key = 'boot_id'" 1 "the boot id is recorded"
gsd "$out/base.db"
assert_sql "$out/base.db" "select count(*) from runs" 1 "a restart on the same host, device and boot continues the run"
echo "ok: $(sql "$out/base.db" "select message from events where kind = 'gap'")"

# expect_new_run NAME SQL REASON: the start after SQL changed the last run is a new run for REASON.
expect_new_run() {
	cp "$out/base.db" "$out/$1.db"
	sql "$out/$1.db" "$2"
	gsd "$out/$1.db"
	assert_sql "$out/$1.db" "select count(*) from runs" 2 "$1: a new run"
	why=$(sql "$out/$1.db" "select message from events where kind = 'new-run' and run_id = 2")
	[ "$why" = "new run: $3" ] || fail "$1: new-run event '$why', expected 'new run: $3'"
	assert_sql "$out/$1.db" "select count(*) from ticks where run_id = 1 and t > (select started from runs where id = 2)" 0 "$1: nothing appended to the old run"
	echo "ok: $1: $why"
}
expect_new_run host "update runs set hostname = 'lab-b'" "the host name changed"
expect_new_run device "update runs set device = '/dev/dri/card7'" "the device changed"
expect_new_run boot "update run_props set value = '00000000-0000-0000-0000-000000000000' where key = 'boot_id'" \
	"the machine booted again (another boot id)"
expect_new_run no-boot-id "delete from run_props where key = 'boot_id'" "the last run recorded no boot id"

# The issue's case: another host's database with the same kernel and
# config merged into the live one; the next start must not go on in it.
cp "$out/base.db" "$out/lab.db"
sql "$out/lab.db" "update runs set hostname = 'lab-b', started = started + 1"
cp "$out/base.db" "$out/live.db"
"$GS" merge "$out/live.db" "$out/lab.db" > /dev/null
gsd "$out/live.db"
assert_sql "$out/live.db" "select count(*) from runs" 3 "after a merge: a new run"
assert_sql "$out/live.db" "select message from events where kind = 'new-run' and run_id = 3" \
	"new run: the last run was merged from another database" "after a merge: the reason"
echo "ok: after merge: $(sql "$out/live.db" "select message from events where kind = 'new-run' and run_id = 3")"
