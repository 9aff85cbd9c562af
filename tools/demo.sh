#!/bin/sh
# make demo: run gemsoakd with CONFIG for SECONDS on a real kernel and print
# the findings from DB. On a machine with a DRM device that can
# create GEM objects the daemon runs right here; otherwise Debian's kernel
# boots under qemu with vgem (tests/vm/) and the database comes back.
# Each setup step is one line; its full output is in build/demo-logs/,
# shown when it fails.
# usage: demo.sh CONFIG SECONDS DB
set -eu
config=$1 seconds=$2 db=$3
[ -f "$config" ] || { echo "demo: $config: no such config" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
logs=$top/build/demo-logs
mkdir -p "$(dirname "$db")" "$logs"
rm -f "$db" "$db-wal" "$db-shm"

# step MESSAGE LOG COMMAND...: say in one line what is done, run COMMAND
# (a program or a function) with its output in LOG; when it fails, show
# the end of LOG and stop.
step() {
	step_msg=$1 step_log=$2
	shift 2
	printf '%s…\n' "$step_msg"
	if "$@" > "$step_log" 2>&1; then
		return 0
	fi
	echo "demo: that failed; the end of its log ($step_log):" >&2
	tail -n 40 "$step_log" >&2
	exit 1
}

# The Debian packages (tools/packages.txt) and the build.
missing=$("$top/tools/install-deps.sh" --missing | wc -l)
if [ "$missing" -gt 0 ]; then
	step "installing $missing Debian packages" "$logs/install.log" "$top/tools/install-deps.sh"
fi
step "building" "$logs/build.log" make -C "$top" all

# What a person reads first: the findings, one per cause of a leak (or
# that none was found, and what the run could have seen), then the counts
# of the kernel's metrics and anomalies, then the report (a plot per
# metric) next to the database.
demo_summary() { # DB
	report=${1%.db}.html
	gs=$top/build/gemsoak
	echo
	if "$gs" findings -D "$1" > "$logs/findings.txt" 2>&1; then
		sqlite3 "$1" "select printf('no leak found in %.1f min at %d cycles/s; a leak of 1 per 10,000 cycles'
			|| ' would keep its first object after %s, and needs several to be judged', span / 60.0,
			c / max(span, 1), case when c = 0 then 'never (no cycle)'
			when 10000 * span / c < 120 then printf('%d s', 10000 * span / c)
			when 10000 * span / c < 7200 then printf('%.1f min', 10000 * span / c / 60)
			else printf('%.1f h', 10000 * span / c / 3600) end)
			from (select max(t) - min(t) as span, max(cycles) - min(cycles) as c from ticks
			where run_id = (select max(id) from runs))"
	else
		cat "$logs/findings.txt"
	fi
	echo
	sqlite3 "$1" "select count(*) filter (where verdict = 'leaking') || ' kernel metric(s) leaking (' ||
		(select count(*) from findings) || ' finding(s)), ' ||
		count(*) filter (where verdict = 'stable') || ' stable, ' ||
		count(*) filter (where verdict not in ('leaking', 'stable')) || ' not yet decided'
		from leak_trends where scope = 'kernel' and verdict <> 'not-assessed'"
	sqlite3 "$1" "select count(*) || ' anomalies (broken kernel promises)' ||
		coalesce(': ' || group_concat(distinct workload || ' ' || kind), '') from anomalies"
	# the measured sign of a machine too busy for the config
	"$top/tools/rate-warnings.sh" "$1"
	echo "every metric: build/gemsoak trends -D $1"
	"$gs" report -D "$1" --out "$report" --force > /dev/null &&
		echo "report: $report (a plot per metric; open it in a browser)"
}

# demo_vm_db OUT: the database a VM run (vm_run_daemon) brought back to
# OUT, to DB with its write-ahead log merged; stop when gemsoakd failed.
demo_vm_db() {
	status=$(cat "$1/gemsoakd.status")
	[ "$status" = 0 ] || { tail -n 20 "$1/job.log" >&2; echo "demo: gemsoakd exited with $status (log: $1/job.log)" >&2; exit 1; }
	sqlite3 "$1/gs.db" 'pragma wal_checkpoint' > /dev/null
	cp "$1/gs.db" "$db"
}

# make demo MODEL=1 [UNFIXED="004 ..."]: against the kernel model instead
# (tests/model/), with the listed seed fixes left out.
if [ -n "${MODEL:-}" ]; then
	. "$top/tests/model/lib.sh"
	step "building the kernel model" "$logs/model-build.log" make -C "$top" model
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
	# shellcheck disable=SC2086
	step "running $config against the kernel model for $seconds s (fixes left out: ${UNFIXED:-none})" "$out.log" \
		model_run_daemon "$out.conf" "$seconds" "$out/run" $model_args
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
	step "building drm.ko and vgem.ko with bug $BUG (cached in build/cache)" "$logs/vm-prepare.log" \
		make -C "$top" build/vm/initramfs-bugs.cpio.gz
	out=$top/build/demo-vm
	export VM_DISK=1 GS_VM_INITRD="$top/build/vm/initramfs-bugs.cpio.gz" GS_VM_APPEND="gs.modules=$BUG"
	step "booting the VM (Debian's kernel under qemu, bug $BUG) and running $config for $seconds s" "$out.log" \
		vm_run_daemon "$config" "$seconds" "$out"
	demo_vm_db "$out"
	demo_summary "$db"
	exit 0
fi

# A config that restarts a real display server (display-server `server =`, as
# configs/x-restart-xorg.conf does) runs in the display-stack VM
# (tests/vm-display/: virtio-gpu with fbcon, vgem, Xorg), never on this
# machine's display.
if grep -q '^[[:space:]]*server[[:space:]]*=' "$config"; then
	"$GEMSOAKD" --check-config "$config" > /dev/null || exit $?
	img=$top/build/vm-display out=$top/build/demo-display
	step "preparing the display-stack VM for a real display server (the first build takes minutes)" \
		"$logs/vm-display-prepare.log" "$top/tests/vm-display/mkimage.sh" "$img"
	# the database on a disk of its own, as in the vgem VM
	export VM_DISPLAY="$img" VM_DISK=1 VM_LIMIT=$((seconds + 300))
	step "booting the display-stack VM and running $config for $seconds s" "$out.log" \
		vm_run_daemon "$config" "$seconds" "$out"
	demo_vm_db "$out"
	demo_summary "$db"
	exit 0
fi

check=$("$GEMSOAKD" --check-config "$config") || exit $?
case "$check" in
*"not present here"*)
	step "preparing the VM (no DRM device here: Debian's kernel under qemu with vgem)" "$logs/vm-prepare.log" \
		make -C "$top" build/vm/initramfs.cpio.gz
	out=$top/build/demo-vm
	# the database on a disk of its own: on the guest's tmpfs its growth
	# would count in mem.shmem_kb
	export VM_DISK=1
	step "booting the VM and running $config for $seconds s" "$out.log" vm_run_daemon "$config" "$seconds" "$out"
	demo_vm_db "$out"
	;;
*)
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug || true
	step "running $config on this machine's DRM device for $seconds s" "$logs/gemsoakd.log" \
		"$GEMSOAKD" -c "$config" --database "$db" --duration "$seconds"
	;;
esac
demo_summary "$db"
