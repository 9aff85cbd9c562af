#!/bin/sh
# Build (once) a Debian rootfs with systemd, the daemon's runtime libraries,
# sqlite3 and Debian's kernel with its initrd, for the test that runs the
# installed gemsoak.service under real systemd. Prints the path of a tarball
# of that rootfs, cached in build/cache under a key of everything that goes
# into it (this script, the suite, the package list).
# The mirror is apt's own (its sources), else debootstrap's default.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="$top/build/cache"

. /etc/os-release
suite=${GS_ROOTFS_SUITE:-${VERSION_CODENAME:-bookworm}}
packages="systemd,systemd-sysv,udev,kmod,initramfs-tools,linux-image-amd64,\
libevent-2.1-7,libdrm2,libsqlite3-0,libinih1,libsystemd0,sqlite3,procps,man-db"

key=$( (cat "$0" "$top/tests/vm-systemd/apt-mirror.sh"; echo "$suite $packages") | sha256sum | cut -c1-16)
tarball="$cache/rootfs-$suite-$key.tar.gz"
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi

. "$top/tests/vm-systemd/apt-mirror.sh"
mirror=$(apt_mirror | head -n 1)

mkdir -p "$cache"
root=$(mktemp -d "$cache/rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
echo "mkrootfs: debootstrap $suite ${mirror:-(default mirror)} into $root" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$root" $mirror >&2 ||
	{ tail -n 30 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null; exit 1; }

# An initrd that only knows the virtio disk and ext4: smaller, faster to boot.
echo "MODULES=list" > "$root/etc/initramfs-tools/conf.d/gemsoak-vm"
printf 'virtio_pci\nvirtio_blk\next4\n' >> "$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k all >&2

# Drivers a VM with one virtio disk and vgem never loads: a smaller image.
for m in "$root"/lib/modules/*; do
	(cd "$m/kernel" && rm -rf sound net drivers/net drivers/media drivers/infiniband drivers/staging \
		drivers/usb drivers/bluetooth drivers/iio drivers/scsi drivers/isdn drivers/hwmon \
		drivers/gpu/drm/amd drivers/gpu/drm/nouveau drivers/gpu/drm/i915 drivers/gpu/drm/radeon)
	chroot "$root" depmod "${m##*/}"
done

# The machine: root on the first virtio disk, no network, no login prompts.
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$root/etc/fstab"
echo gemsoak-vm > "$root/etc/hostname"
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/usr/share/doc" "$root/usr/share/man" \
	"$root/usr/share/locale"

tar -C "$root" --numeric-owner -czf "$tarball.tmp" .
rm -f "$cache"/rootfs-*.tar.gz   # older keys: never used again
mv "$tarball.tmp" "$tarball"
echo "$tarball"
