#!/bin/sh
# Build (once) a Debian rootfs for the display-stack VM: Xorg with the
# modesetting driver, a few X clients, the daemon's runtime libraries and
# Debian's kernel with its initrd (virtio_gpu, bochs and vgem ship as its
# modules). Prints the path of a tarball of that rootfs, cached in
# build/cache under a key of everything that goes into it (this script,
# tests/vm-systemd/rootfs-lib.sh, the suite, the package list).
# Debootstrap installs Depends only (no Recommends); mesa's dri drivers and
# LLVM come in through libgl1 all the same and are dropped: glamor refuses
# llvmpipe anyway, and Xorg runs without them.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="$top/build/cache"

. /etc/os-release
suite=${GS_ROOTFS_SUITE:-${VERSION_CODENAME:-bookworm}}
packages="kmod,udev,initramfs-tools,linux-image-amd64,\
libevent-2.1-7,libdrm2,libsqlite3-0,libinih1,libsystemd0,sqlite3,procps,\
xserver-xorg-core,xserver-xorg-input-libinput,x11-utils,x11-xserver-utils"

. "$top/tests/vm-systemd/rootfs-lib.sh"
tarball=$(rootfs_tarball "$0" "$cache/display-rootfs" "$suite" "$packages")
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi

mkdir -p "$cache"
root=$(mktemp -d "$cache/display-rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
rootfs_debootstrap "$root" "$suite" "$packages" || exit 1
rootfs_small_initrd "$root"
# Drivers this VM never loads. DRM keeps virtio_gpu, bochs and vgem (and
# the helpers they need), net keeps 9p for the share.
rootfs_strip_modules "$root" sound net/wireless net/bluetooth drivers/net drivers/media \
	drivers/infiniband drivers/staging drivers/usb drivers/bluetooth drivers/iio drivers/scsi \
	drivers/isdn drivers/hwmon drivers/gpu/drm/amd drivers/gpu/drm/nouveau drivers/gpu/drm/i915 \
	drivers/gpu/drm/radeon

# What Xorg does not need here: mesa's dri drivers, LLVM and its solver,
# apt's lists.
rm -rf "$root"/usr/lib/x86_64-linux-gnu/dri "$root"/usr/lib/x86_64-linux-gnu/libLLVM* \
	"$root"/usr/lib/x86_64-linux-gnu/libz3.so* "$root"/usr/lib/x86_64-linux-gnu/libgallium* \
	"$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
echo gemsoak-display > "$root/etc/hostname"
rootfs_pack "$root" "$tarball"
echo "$tarball"
