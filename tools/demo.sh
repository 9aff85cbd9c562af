#!/bin/sh
# make demo: run gemsoakd with CONFIG for SECONDS on a real kernel and print
# the verdicts from DB. On a machine with a DRM device that can
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

# The verdicts a person reads, in 100 columns: the kernel's metrics that do
# not come out stable (growth per 1000 cycles of the workload the verdict
# attributes them to, else of all workloads, and per hour), a count of the rest, and an HTML
# report with a plot per metric next to the database.
demo_summary() { # DB
	report=${1%.db}.html
	echo
	echo "verdicts of $1"
	echo "(all of them, every column: sqlite3 -box $1 'select * from leak_trends')"
	sqlite3 -header -column "$1" "select substr(metric, 1, 30) as metric, verdict,
		printf('%.1f', coalesce(slope_per_kcycle_workload, slope_per_kcycle)) as per_1000,
		printf('%d', round(slope_per_hour)) as per_hour,
		coalesce(substr(workload, 1, 16), '-') as of_workload, coalesce(substr(holder, 1, 12), '-') as holder
		from leak_trends where scope = 'kernel' and verdict not in ('stable', 'not-assessed')
		order by verdict <> 'leaking', metric"
	sqlite3 "$1" "select count(*) filter (where verdict = 'leaking') || ' kernel metric(s) leaking, ' ||
		count(*) filter (where verdict = 'stable') || ' stable, ' ||
		count(*) filter (where verdict not in ('leaking', 'stable')) || ' not yet decided'
		from leak_trends where scope = 'kernel' and verdict <> 'not-assessed'"
	sqlite3 "$1" "select count(*) || ' anomalies (broken kernel promises)' ||
		coalesce(': ' || group_concat(distinct workload || ' ' || kind), '') from anomalies"
	# the measured sign of a machine too busy for the config
	"$top/tools/rate-warnings.sh" "$1"
	"$top/build/gemsoak" report -D "$1" --out "$report" --force > /dev/null &&
		echo "report: $report (a plot per metric; open it in a browser)"
}

# make demo MODEL=1 [UNFIXED="004 ..."]: against the kernel model instead
# (tests/model/), with the listed seed fixes left out.
if [ -n "${MODEL:-}" ]; then
	. "$top/tests/model/lib.sh"
	make -s -C "$top" model
	out=$top/build/demo-model
	rm -rf "$out"
	mkdir -p "$out"
	model_args=""
	for seed in ${UNFIXED:-}; do
		model_args="$model_args --without-fix $seed"
	done
	# The config's device and debugfs become the model's.
	sed -e '/^[[:space:]]*device[[:space:]]*=/d' -e '/^[[:space:]]*debugfs[[:space:]]*=/d' \
		-e 's|^\[daemon\]|[daemon]\ndevice = @DEVICE@\ndebugfs = @DEBUGFS@|' "$config" > "$out.conf"
	echo "demo: running against the kernel model for ${seconds}s (fixes left out: ${UNFIXED:-none})"
	# shellcheck disable=SC2086
	model_run_daemon "$out.conf" "$seconds" "$out/run" $model_args > "$out.log" 2>&1 ||
		{ cat "$out.log"; exit 1; }
	cp "$out/run/gs.db" "$db"
	demo_summary "$db"
	exit 0
fi

# make demo BUG=NNN: on Debian's kernel under qemu with drm.ko and vgem.ko
# rebuilt with seed NNN's bug put back (kernel/bugs/NNN-*.patch), or
# BUG=stock for the same modules rebuilt without one.
if [ -n "${BUG:-}" ]; then
	[ "$BUG" = stock ] || ls "$top"/kernel/bugs/"$BUG"-*.patch > /dev/null 2>&1 ||
		{ echo "demo: BUG=$BUG: no kernel/bugs/$BUG-*.patch (known: $(cd "$top/kernel/bugs" && ls [0-9]*.patch | cut -c1-3 | tr '\n' ' ')stock)" >&2; exit 2; }
	echo "demo: building drm.ko and vgem.ko with bug $BUG (cached in build/cache), booting Debian's kernel under qemu"
	make -s -C "$top" build/vm/initramfs-bugs.cpio.gz
	out=$top/build/demo-vm
	VM_DISK=1 GS_VM_INITRD=$top/build/vm/initramfs-bugs.cpio.gz GS_VM_APPEND="gs.modules=$BUG" \
		vm_run_daemon "$config" "$seconds" "$out" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
	grep -E 'run-start|stopping' "$out/job.log"
	status=$(cat "$out/gemsoakd.status")
	[ "$status" = 0 ] || { echo "demo: gemsoakd exited with $status" >&2; exit 1; }
	cp "$out/gs.db" "$db"
	demo_summary "$db"
	exit 0
fi

# A config that restarts a real display server (x-restart `server =`, as
# configs/x-restart-xorg.conf does) runs in the display-stack VM
# (tests/vm-display/: virtio-gpu with fbcon, vgem, Xorg), never on this
# machine's display.
if grep -q '^[[:space:]]*server[[:space:]]*=' "$config"; then
	"$GEMSOAKD" --check-config "$config" > /dev/null || exit $?
	echo "demo: a real display server: booting the display-stack VM (the first build takes minutes)"
	img=$top/build/vm-display out=$top/build/demo-display
	"$top/tests/vm-display/mkimage.sh" "$img" > /dev/null
	rm -rf "$out"
	mkdir -p "$out"
	cp "$config" "$out/demo.conf"
	printf '%s\n' '#!/bin/sh' 'mkdir -p /var/lib/gemsoak' \
		"gemsoakd -c /mnt/share/demo.conf --database /var/lib/gemsoak/demo.db --duration $seconds" \
		'echo $? > /mnt/share/gemsoakd.status' 'cp /var/lib/gemsoak/demo.db /mnt/share/gs.db' \
		'[ -f /var/lib/gemsoak/demo.db-wal ] && cp /var/lib/gemsoak/demo.db-wal /mnt/share/gs.db-wal' \
		'exit 0' > "$out/job.sh"
	chmod +x "$out/job.sh"
	"$top/tests/vm-display/run.sh" "$img" "$out" $((seconds + 300))
	grep '^gemsoakd:' "$out/job.log" || true
	status=$(cat "$out/gemsoakd.status")
	[ "$status" = 0 ] || { echo "demo: gemsoakd exited with $status (log: $out/job.log)" >&2; exit 1; }
	sqlite3 "$out/gs.db" 'pragma wal_checkpoint' > /dev/null
	cp "$out/gs.db" "$db"
	demo_summary "$db"
	exit 0
fi

check=$("$GEMSOAKD" --check-config "$config") || exit $?
case "$check" in
*"not present here"*)
	echo "demo: no usable DRM device on this machine; booting Debian's kernel with vgem under qemu"
	make -s -C "$top" build/vm/initramfs.cpio.gz
	out=$top/build/demo-vm
	# the database on a disk of its own: on the guest's tmpfs its growth
	# would count in mem.shmem_kb
	VM_DISK=1 vm_run_daemon "$config" "$seconds" "$out" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
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
demo_summary "$db"
