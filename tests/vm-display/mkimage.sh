#!/bin/sh
# The display-stack VM's disk: the cached Debian rootfs (mkrootfs.sh) with
# the project installed (make install DESTDIR=), the test helpers
# gs-fb-keeper and gs-weston-launch, and tests/vm-display/init.sh as /sbin/gs-display-init (with
# tests/vm/share-job.sh as /sbin/gs-share-job), as
# DIR/root.img (ext4), with the rootfs's kernel and initrd as DIR/vmlinuz
# and DIR/initrd. Builds the programs first. usage: mkimage.sh DIR
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$1
[ "$(id -u)" = 0 ] || { echo "mkimage: needs root (file ownership in the image)" >&2; exit 1; }
tarball=$("$top/tests/vm-display/mkrootfs.sh")
rm -rf "$d/root" "$d/root.img"
mkdir -p "$d/root"
tar -C "$d/root" --numeric-owner -xzf "$tarball"
root=$d/root
make -s -C "$top" all vm-display-tools >&2
make -s -C "$top" install DESTDIR="$root" > "$d/install.log" 2>&1 || { cat "$d/install.log" >&2; exit 1; }
install -m 0755 "$top/build/vm-display/gs-fb-keeper" "$top/build/vm-display/gs-weston-launch" "$root/usr/local/bin/"
install -m 0755 "$top/tests/vm-display/init.sh" "$root/sbin/gs-display-init"
install -m 0755 "$top/tests/vm/share-job.sh" "$root/sbin/gs-share-job"
cp "$(ls "$root"/boot/vmlinuz-* | head -n 1)" "$d/vmlinuz"
cp "$(ls "$root"/boot/initrd.img-* | head -n 1)" "$d/initrd"
size_mb=$(( $(du -sm "$root" | cut -f1) + 256 ))
mke2fs -q -t ext4 -L root -d "$root" "$d/root.img" "${size_mb}M"
rm -rf "$root"
echo "$d"
