#!/bin/sh
# make soak: a soak of hours on Debian's real kernel under qemu with vgem,
# the database on a disk of its own, a progress line every PROGRESS
# minutes, and beside DB a description of how it was recorded (DB.txt:
# the command, the config, the kernel and its modules). It is the command
# a user runs for a real soak on a machine without a GPU, and the one that
# recorded tests/corpus/. A config that restarts a real display server
# (display-server `server =`) runs in the display-stack VM instead
# (tests/vm-display/: virtio-gpu with fbcon, vgem, Xorg, weston).
# usage: soak.sh CONFIG HOURS DB
# BUG=NNN|stock: drm.ko and vgem.ko rebuilt with seed NNN's bug put back
# (kernel/bugs/; the vgem VM only). LATE=CONFIG2 LATE_AFTER=MINUTES: after
# that long the daemon is reloaded with CONFIG2 (a workload added mid-run:
# a late-onset leak). PROGRESS=MINUTES, default 10.
set -eu
config=$1 hours=$2 db=$3
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
[ -f "$config" ] || { echo "soak: $config: no such config" >&2; exit 2; }
case $hours in
'' | *[!0-9.]* | *.*.*) echo "soak: HOURS=$hours: a number of hours (e.g. 2 or 0.5)" >&2; exit 2 ;;
esac
seconds=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
[ "$seconds" -ge 60 ] || { echo "soak: HOURS=$hours: at least a minute" >&2; exit 2; }
progress=${PROGRESS:-10}
"$GEMSOAKD" --check-config "$config" > /dev/null || exit $?
if [ -n "${LATE:-}" ]; then
	[ -f "$LATE" ] || { echo "soak: LATE=$LATE: no such config" >&2; exit 2; }
	"$GEMSOAKD" --check-config "$LATE" > /dev/null || exit $?
	case ${LATE_AFTER:-} in
	'' | *[!0-9]*) echo "soak: LATE_AFTER: the minutes before LATE's reload" >&2; exit 2 ;;
	esac
	[ $((LATE_AFTER * 60)) -lt "$seconds" ] || { echo "soak: LATE_AFTER=$LATE_AFTER is past the run's end" >&2; exit 2; }
fi
# A real display server needs the display-stack VM, for the whole run.
display=""
for c in "$config" ${LATE:+"$LATE"}; do
	! grep -q '^[[:space:]]*server[[:space:]]*=' "$c" || display=$c
done
if [ -n "$display" ] && [ -n "${BUG:-}" ]; then
	echo "soak: BUG=$BUG: $display restarts a real display server, which runs in the display-stack VM;" \
		"it boots its image's own drm.ko and vgem.ko, not the rebuilt ones (BUG= is for the vgem VM)" >&2
	exit 2
fi

# A soak needs the CPU its workloads are capped for: say so when the host
# is busy before it starts (each guest takes two emulated CPUs).
load=$(cut -d' ' -f1 /proc/loadavg)
cpus=$(nproc)
if awk -v l="$load" -v c="$cpus" 'BEGIN { exit !(l > c - 1) }'; then
	echo "soak: warning: load average $load on $cpus CPUs; the workloads will run below their rate" \
		"(the run records each workload's cycles/s against its rate; the end of the soak says which fell below)" >&2
fi

out=$top/build/soak/$(basename "${db%.db}")
# Emptied before the follower below starts (vm_run_daemon empties it only
# after): it would take a former run's job.sh and job.log for this one's.
# The logs of this script's own steps go beside it, as $out.*.log.
rm -rf "$out"
mkdir -p "$(dirname "$db")" "$(dirname "$out")"
initrd=$top/build/vm/initramfs.cpio.gz append="" guest="qemu TCG, 2 vCPUs"
if [ -n "$display" ]; then
	# the image holds this tree's build (mkimage.sh installs it)
	echo "soak: building the display-stack VM's image (build/vm-display; log: $out.image.log)"
	"$top/tests/vm-display/mkimage.sh" "$top/build/vm-display" > "$out.image.log" 2>&1 ||
		{ tail -n 40 "$out.image.log"; echo "soak: cannot build the display-stack image (log: $out.image.log)" >&2; exit 1; }
	VM_DISPLAY=$top/build/vm-display
	export VM_DISPLAY
	guest="$guest, the display-stack VM (tests/vm-display/: virtio-gpu-pci with fbcon, vgem, Xorg)"
elif [ -n "${BUG:-}" ]; then
	[ "$BUG" = stock ] || ls "$top"/kernel/bugs/"$BUG"-*.patch > /dev/null 2>&1 ||
		{ echo "soak: BUG=$BUG: no kernel/bugs/$BUG-*.patch" >&2; exit 2; }
	make -s -C "$top" build/vm/initramfs-bugs.cpio.gz
	initrd=$top/build/vm/initramfs-bugs.cpio.gz append="gs.modules=$BUG"
else
	make -s -C "$top" build/vm/initramfs.cpio.gz
fi

# The guest's progress: `gemsoak status` every PROGRESS minutes, the
# modules it loaded at the start; LATE's reload at its time.
during="(while sleep $((progress * 60)); do echo \"--- \$(date -u +%H:%M:%S) ---\"; gemsoak status -D /var/lib/gemsoak/gs.db 2>&1 | head -n 12; done) &"
before="cat /proc/version > /mnt/share/kernel.txt; cut -d' ' -f1,2 /proc/modules > /mnt/share/modules.txt"
[ -z "$display" ] || before="$before; dpkg-query -W -f '\${Package} \${Version}\\n' xserver-xorg-core weston > /mnt/share/display.txt"
if [ -n "${LATE:-}" ]; then
	during="$during (sleep $((LATE_AFTER * 60)); cp /mnt/share/late.conf /mnt/share/test.conf; echo \"soak: reloading with the late config\"; kill -HUP \$daemon) &"
fi
echo "soak: $config for $hours h ($seconds s) on Debian's kernel under qemu${display:+ in the display-stack VM}${BUG:+ with bug $BUG}${LATE:+, $LATE after $LATE_AFTER min}"
echo "soak: guest log: $out/job.log; the database comes back to $db at the end"
(
	# vm_run_daemon empties $out first: the late config goes in once it is laid.
	while [ ! -f "$out/job.sh" ]; do sleep 1; done
	[ -z "${LATE:-}" ] || cp "$LATE" "$out/late.conf"
	# Progress on this terminal: the guest's log as it grows.
	while [ ! -f "$out/job.log" ]; do sleep 5; done
	exec tail -n +1 -f "$out/job.log" 2> /dev/null
) &
follower=$!
trap 'kill $follower 2> /dev/null || true' EXIT
# A starved guest's clock falls behind the host's (9 minutes in 1.6 h at
# load 14): the VM's time limit leaves it half the run again.
VM_LIMIT=$((seconds * 3 / 2 + 300)) VM_DISK=1 GS_VM_INITRD=$initrd GS_VM_APPEND=$append VM_BEFORE=$before VM_DURING=$during \
	vm_run_daemon "$config" "$seconds" "$out" > "$out.vm.log" 2>&1 ||
	{ tail -n 40 "$out.vm.log"; echo "soak: the VM run failed (log: $out.vm.log)" >&2; exit 1; }
kill $follower 2> /dev/null || true
status=$(cat "$out/gemsoakd.status")
rm -f "$db" "$db-wal" "$db-shm"
cp "$out/gs.db" "$db"
[ ! -f "$out/gs.db-wal" ] || cp "$out/gs.db-wal" "$db-wal"
sqlite3 "$db" 'pragma wal_checkpoint(truncate)' > /dev/null
rm -f "$db-wal" "$db-shm"
{
	echo "recorded: $(date -u +%Y-%m-%dT%H:%MZ) by: make soak CONFIG=$config HOURS=$hours${BUG:+ BUG=$BUG}${LATE:+ LATE=$LATE LATE_AFTER=$LATE_AFTER} DB=$db"
	echo "host: $(nproc) CPUs, load average at the start $load; guest: $guest"
	echo "kernel: $(cat "$out/kernel.txt")"
	if [ -n "$display" ]; then
		echo "display stack (Debian package version):"
		sed 's/^/  /' "$out/display.txt"
	fi
	echo "modules (name size):${BUG:+ drm and vgem rebuilt by kernel/bugs/build-modules.sh ($BUG)}"
	sed 's/^/  /' "$out/modules.txt"
	echo "config:"
	sed 's/^/  /' "$config"
	if [ -n "${LATE:-}" ]; then
		echo "late config, reloaded after $LATE_AFTER minutes:"
		sed 's/^/  /' "$LATE"
	fi
	echo "gemsoakd exit status: $status"
} > "$db.txt"
[ "$status" = 0 ] || { echo "soak: gemsoakd exited with $status (log: $out/job.log)" >&2; exit 1; }
echo "soak: $db ($(du -k "$db" | cut -f1) KiB), how it was recorded: $db.txt"
"$top/build/gemsoak" trends -D "$db" --metric '*' || true
# the load average above is a guess; the workloads' measured rates say it
"$top/tools/rate-warnings.sh" "$db"
