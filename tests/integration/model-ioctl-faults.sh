#!/bin/sh
# Device faults at the ioctl boundary, in the kernel model: a driver that
# interrupts the first attempt of every ioctl (EINTR, EAGAIN) must see no
# difference, since every ioctl goes through libdrm's retrying drmIoctl;
# a driver without GEM names or without PRIME is refused by name, with
# exit 78, before anything starts.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-ioctl-faults
rm -rf "$out"
mkdir -p "$out"
trap model_stop EXIT

# ---- EINTR and EAGAIN on every ioctl ----
flink_share_conf "$out/interrupt.conf" 1 2 'device = @DEVICE@
debugfs = @DEBUGFS@
interval = 1s'
cat >> "$out/interrupt.conf" <<'CONF'
rate = 200

[workload prime-share]
rate = 200

[workload context-churn]
importers = 2
rate = 100
CONF
model_run_daemon "$out/interrupt.conf" 8 "$out/interrupt" --interrupt
db=$out/interrupt/gs.db
grep -q "first ioctl interrupted" "$out/interrupt/server.log" || fail "the model interrupted no ioctl"
for w in flink-share prime-share context-churn; do
	assert_true "$db" "select last_value > 100 from leak_trends where metric = 'workload.$w.cycles'" "$w ran"
done
assert_sql "$db" "select group_concat(name) from metrics where name like 'workload.%.errors.%.EINTR' or name like 'workload.%.errors.%.EAGAIN'" "" \
	"no EINTR or EAGAIN reached a workload"
assert_sql "$db" "select count(*) from events where kind in ('worker-exit', 'worker-hang', 'device', 'device-gone')" 0 "no worker trouble"
assert_sql "$db" "select count(*) from anomalies" 0 "no anomaly"

# ---- a driver without flink, a driver without PRIME: refused by name ----
# refused SERVER_FLAG WORKLOAD CAPABILITY: both --check-config and a start
# exit 78 naming the workload and the missing capability.
refused() {
	model_start "$out/$1" "--$1"
	printf '[daemon]\ndevice = %s\ndebugfs = %s\ndatabase = %s\n\n[workload %s]\n' \
		"$mdir/card0" "$mdir/debugfs" "$mdir/never.db" "$2" > "$mdir/test.conf"
	msg="workload $2 ($2) needs $3, which $mdir/card0 (driver i915) does not offer"
	ERR=$mdir/check.err run_rc model_env "$GEMSOAKD" --check-config "$mdir/test.conf"
	cat "$mdir/check.err"
	[ $rc = 78 ] || fail "$1: --check-config exit $rc, expected 78"
	grep -qF "$msg" "$mdir/check.err" || fail "$1: --check-config does not name $3"
	ERR=$mdir/start.err run_rc model_env "$GEMSOAKD" -c "$mdir/test.conf"
	cat "$mdir/start.err"
	[ $rc = 78 ] || fail "$1: start exit $rc, expected 78"
	grep -qF "$msg" "$mdir/start.err" || fail "$1: the start does not name $3"
	[ ! -e "$mdir/never.db" ] || fail "$1: a database was created"
	model_stop
}
refused no-flink flink-share "flink names (GEM_FLINK/GEM_OPEN)"
refused no-prime prime-share "PRIME export"
echo "ioctl faults: $(sql "$db" "select max(cycles) from ticks") cycles with every ioctl interrupted once, no error counted"
