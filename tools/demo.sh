#!/bin/sh
# make demo: run gemsoakd with CONFIG for SECONDS on a real kernel and print
# the leak_trends table from DB. On a machine with a DRM device that can
# create GEM objects the daemon runs right here; otherwise Debian's kernel
# boots under qemu with vgem (tests/vm/) and the database comes back.
# usage: demo.sh CONFIG SECONDS DB
set -eu
config=$1 seconds=$2 db=$3
[ -f "$config" ] || { echo "demo: $config: no such config" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"

check=$("$GEMSOAKD" --check-config "$config") || exit $?
case "$check" in
*"not present here"*)
	echo "demo: no usable DRM device on this machine; booting Debian's kernel with vgem under qemu"
	make -s -C "$top" build/vm/initramfs.cpio.gz
	out=$top/build/demo-vm
	vm_run_daemon "$config" "$seconds" "$out" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
	cat "$out/job.log"
	status=$(cat "$out/gemsoakd.status")
	[ "$status" = 0 ] || { echo "demo: gemsoakd exited with $status" >&2; exit 1; }
	cp "$out/gs.db" "$db"
	;;
*)
	echo "demo: running on this machine's DRM device for ${seconds}s"
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug || true
	"$GEMSOAKD" -c "$config" --database "$db" --duration "$seconds"
	;;
esac
echo
echo "leak_trends of $db (sqlite3 $db 'select * from leak_trends'):"
sqlite3 -box "$db" 'select * from leak_trends'
