#!/bin/sh
# gemsoak.service under real systemd: a Debian rootfs (debootstrap, cached
# in build/cache) with the project installed by `make install DESTDIR=`,
# booted under qemu with Debian's kernel and initrd. In the guest,
# tests/vm-systemd/guest-test.sh starts, queries, reloads, stops the
# service and lets the watchdog restart it; the unit's status names no
# finding while flink-share runs alone, and the canary's once a reload
# adds it. Its verdicts come back on the second serial port.
set -eu
. tests/lib.sh
[ "$(id -u)" = 0 ] || { echo "needs root (debootstrap, file ownership in the image)"; exit 77; }
for t in debootstrap mke2fs qemu-system-x86_64; do
	command -v $t >/dev/null || { echo "$t is not installed"; exit 77; }
done
d=$TOP/build/tests/vm-systemd
rm -rf "$d"
mkdir -p "$d/root"
start=$(date +%s)

tarball=$(tests/vm-systemd/mkrootfs.sh) || fail "cannot build the Debian rootfs"
echo "rootfs: $tarball ($(( $(date +%s) - start )) s)"
tar -C "$d/root" --numeric-owner -xzf "$tarball"
root=$d/root

make -s install DESTDIR="$root" > "$d/install.log" 2>&1 || { cat "$d/install.log"; fail "make install"; }
# Sample every second so a short test sees many rounds; judge every 5 s
# over windows of 10 s, so that STATUS can name a finding within the test;
# no probe, whose pauses stalled the canary for 26 s of the minute it
# leaks in (its late start names it).
sed -i 's/^interval = .*/interval = 1s\nprogress = 5s\ntrend_window = 10s\nprobe = no/' "$root/etc/gemsoak/gemsoak.conf"

# The guest's test runs once the system is up.
mkdir -p "$root/usr/local/libexec"
install -m 0755 "${GS_VM_GUEST:-tests/vm-systemd/guest-test.sh}" "$root/usr/local/libexec/gemsoak-vm-test"
cat > "$root/etc/systemd/system/gemsoak-vm-test.service" <<UNIT
[Unit]
Description=gemsoak service test
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/libexec/gemsoak-vm-test
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../gemsoak-vm-test.service "$root/etc/systemd/system/multi-user.target.wants/"

kernel=$(ls "$root"/boot/vmlinuz-* | head -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | head -n 1)
cp "$kernel" "$d/vmlinuz"
cp "$initrd" "$d/initrd"
size_mb=$(( $(du -sm "$root" | cut -f1) + 256 ))
mke2fs -q -t ext4 -L root -d "$root" "$d/root.img" "${size_mb}M" || fail "mke2fs -d"
rm -rf "$root"
echo "image ready ($(( $(date +%s) - start )) s), booting"

boot=$(date +%s)
: > "$d/results.log"
timeout 720 qemu-system-x86_64 \
	-machine "q35,accel=${GS_VM_ACCEL:-tcg}" -m 1024 -smp 2 \
	-nographic -no-reboot -nodefaults \
	-kernel "$d/vmlinuz" -initrd "$d/initrd" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=0" \
	-drive "file=$d/root.img,format=raw,if=virtio" \
	-serial "file:$d/console.log" -serial "file:$d/results.log" \
	> "$d/qemu.log" 2>&1 || true
echo "guest ran $(( $(date +%s) - boot )) s; total $(( $(date +%s) - start )) s"
# The serial line ends lines with CR LF.
tr -d '\r' < "$d/results.log" > "$d/results.txt" && mv "$d/results.txt" "$d/results.log"
echo "--- results (guest) ---"
cat "$d/results.log"
grep -q "^DONE failures=" "$d/results.log" ||
	{ tail -n 40 "$d/console.log"; fail "the guest test did not finish (console: $d/console.log)"; }
grep -q "^ok - " "$d/results.log" || fail "no check passed"
! grep -q "^not ok" "$d/results.log" || fail "$(grep -c '^not ok' "$d/results.log") check(s) failed in the guest"
grep -q "^DONE failures=0$" "$d/results.log" || fail "the guest counted failures"
echo "gemsoak.service under systemd: $(grep -c '^ok - ' "$d/results.log") checks passed"
