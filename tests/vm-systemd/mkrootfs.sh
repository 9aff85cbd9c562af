#!/bin/sh
# Build (once) a Debian rootfs with systemd, the runtime libraries of the
# daemon and of the CLI (the export timer runs gemsoak),
# sqlite3 and Debian's kernel with its initrd, for the test that runs the
# installed gemsoak.service under real systemd. Prints the path of a tarball
# of that rootfs, cached in build/cache under a key of everything that goes
# into it (this script, rootfs-lib.sh, the suite, the package list).
# The mirror is apt's own (its sources), else debootstrap's default.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="$top/build/cache"

. /etc/os-release
suite=${GS_ROOTFS_SUITE:-${VERSION_CODENAME:-bookworm}}
packages="systemd,systemd-sysv,udev,kmod,initramfs-tools,linux-image-amd64,\
libevent-2.1-7,libdrm2,libsqlite3-0,libinih1,libsystemd0,libbpf1,sqlite3,procps,man-db,\
libcairo2,libfontconfig1"

. "$top/tests/vm-systemd/rootfs-lib.sh"
tarball=$(rootfs_tarball "$0" "$cache/rootfs" "$suite" "$packages")
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi

mkdir -p "$cache"
root=$(mktemp -d "$cache/rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
rootfs_debootstrap "$root" "$suite" "$packages" || exit 1
rootfs_small_initrd "$root"
# Drivers a VM with one virtio disk and vgem never loads.
rootfs_strip_modules "$root" sound net drivers/net drivers/media drivers/infiniband drivers/staging \
	drivers/usb drivers/bluetooth drivers/iio drivers/scsi drivers/isdn drivers/hwmon \
	drivers/gpu/drm/amd drivers/gpu/drm/nouveau drivers/gpu/drm/i915 drivers/gpu/drm/radeon

# The machine: no network, no login prompts.
echo gemsoak-vm > "$root/etc/hostname"
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
rootfs_pack "$root" "$tarball"
echo "$tarball"
