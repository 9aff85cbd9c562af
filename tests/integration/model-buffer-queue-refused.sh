#!/bin/sh
# buffer-queue on a machine without vgem's fences (the kernel model's
# driver is i915) and without binder: --check-config and a start both exit
# 78 naming the workload and each missing capability, and nothing starts;
# the same config without buffer-queue passes (the refusal is the
# workload's, not the device's).
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-buffer-queue-refused
rm -rf "$out"
mkdir -p "$out"
trap model_stop EXIT
model_start "$out"
printf '[daemon]\ndevice = %s\ndebugfs = %s\ndatabase = %s\n\n[workload flink-share]\n' \
	"$mdir/card0" "$mdir/debugfs" "$mdir/never.db" > "$mdir/ok.conf"
{ cat "$mdir/ok.conf"; printf '\n[workload bq]\ntype = buffer-queue\n'; } > "$mdir/test.conf"

run_rc model_env "$GEMSOAKD" --check-config "$mdir/ok.conf"
[ $rc = 0 ] || fail "the config without buffer-queue: --check-config exit $rc, expected 0"

fence="workload bq (buffer-queue) needs vgem fences as sync_files (VGEM_FENCE_ATTACH, DMA_BUF_IOCTL_EXPORT_SYNC_FILE), which $mdir/card0 (driver i915) does not offer"
binder="workload bq (buffer-queue) needs binder IPC (/dev/binder), which $mdir/card0 (driver i915) does not offer"
for how in check start; do
	if [ $how = check ]; then
		ERR=$mdir/$how.err run_rc model_env "$GEMSOAKD" --check-config "$mdir/test.conf"
	else
		ERR=$mdir/$how.err run_rc model_env "$GEMSOAKD" -c "$mdir/test.conf"
	fi
	cat "$mdir/$how.err"
	[ $rc = 78 ] || fail "$how: exit $rc, expected 78"
	grep -qF "$mdir/test.conf:8: $fence" "$mdir/$how.err" || fail "$how: the missing fences are not named"
	# A machine that has binder (and lets us open it) offers it to the model too.
	if [ ! -c /dev/binder ] || ! { [ -r /dev/binder ] && [ -w /dev/binder ]; }; then
		grep -qF "$mdir/test.conf:8: $binder" "$mdir/$how.err" || fail "$how: the missing binder is not named"
	fi
done
[ ! -e "$mdir/never.db" ] || fail "a database was created"
echo ok
