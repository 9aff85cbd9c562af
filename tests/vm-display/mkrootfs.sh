#!/bin/sh
# Build (once) a Debian rootfs for the display-stack VM: Xorg with the
# modesetting driver, a few X clients, the daemon's runtime libraries and
# Debian's kernel with its initrd (virtio_gpu, bochs and vgem ship as its
# modules). Prints the path of a tarball of that rootfs, cached in
# build/cache under a key of everything that goes into it.
# Debootstrap installs Depends only (no Recommends); mesa's dri drivers and
# LLVM come in through libgl1 all the same and are dropped: glamor refuses
# llvmpipe anyway, and Xorg runs without them.
# The mirror is apt's own (its sources), else debootstrap's default.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="$top/build/cache"

. /etc/os-release
suite=${GS_ROOTFS_SUITE:-${VERSION_CODENAME:-bookworm}}
packages="kmod,udev,initramfs-tools,linux-image-amd64,\
libevent-2.1-7,libdrm2,libsqlite3-0,libinih1,libsystemd0,sqlite3,procps,\
xserver-xorg-core,xserver-xorg-input-libinput,x11-utils,x11-xserver-utils"

key=$( (cat "$0" "$top/tests/vm-systemd/apt-mirror.sh"; echo "$suite $packages") | sha256sum | cut -c1-16)
tarball="$cache/display-rootfs-$suite-$key.tar.gz"
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi
. "$top/tests/vm-systemd/apt-mirror.sh"
mirror=$(apt_mirror | head -n 1)

mkdir -p "$cache"
root=$(mktemp -d "$cache/display-rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
echo "mkrootfs: debootstrap $suite ${mirror:-(default mirror)} into $root" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$root" $mirror >&2 ||
	{ tail -n 30 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null; exit 1; }

# An initrd that only knows the virtio disk and ext4: smaller, faster to boot.
echo "MODULES=list" > "$root/etc/initramfs-tools/conf.d/gemsoak-vm"
printf 'virtio_pci\nvirtio_blk\next4\n' >> "$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k all >&2

# Drivers this VM never loads: a smaller image. DRM keeps virtio_gpu,
# bochs and vgem (and the helpers they need).
for m in "$root"/lib/modules/*; do
	(cd "$m/kernel" && rm -rf sound net/wireless net/bluetooth drivers/net drivers/media \
		drivers/infiniband drivers/staging drivers/usb drivers/bluetooth drivers/iio drivers/scsi \
		drivers/isdn drivers/hwmon drivers/gpu/drm/amd drivers/gpu/drm/nouveau drivers/gpu/drm/i915 \
		drivers/gpu/drm/radeon)
	chroot "$root" depmod "${m##*/}"
done

# What Xorg does not need here: mesa's dri drivers, LLVM and its solver.
rm -rf "$root"/usr/lib/x86_64-linux-gnu/dri "$root"/usr/lib/x86_64-linux-gnu/libLLVM* \
	"$root"/usr/lib/x86_64-linux-gnu/libz3.so* "$root"/usr/lib/x86_64-linux-gnu/libgallium* \
	"$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin

echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$root/etc/fstab"
echo gemsoak-display > "$root/etc/hostname"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/usr/share/doc" "$root/usr/share/man" \
	"$root/usr/share/locale"

tar -C "$root" --numeric-owner -czf "$tarball.tmp" .
rm -f "$cache"/display-rootfs-*.tar.gz   # older keys: never used again
mv "$tarball.tmp" "$tarball"
echo "$tarball"
