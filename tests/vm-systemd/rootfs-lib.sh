# Building a Debian rootfs for a VM; sourced by tests/vm-systemd/mkrootfs.sh
# and tests/vm-display/mkrootfs.sh (each keys its cache on this file too).

# rootfs_tarball SCRIPT PREFIX SUITE PACKAGES: the cached tarball's name,
# PREFIX-SUITE-KEY.tar.gz, KEY a hash of all that goes into the rootfs
# (the script, this file, the suite, the packages).
rootfs_tarball() {
	_key=$( (cat "$1" "$top/tests/vm-systemd/rootfs-lib.sh"; echo "$3 $4") | sha256sum | cut -c1-16)
	echo "$2-$3-$_key.tar.gz"
}

# apt_mirror: the first Debian archive URI in apt's sources (deb822 or
# one-line style), for debootstrap.
apt_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { if ($i !~ /security/) print $i; break } }' "$f"
	done
}

# rootfs_debootstrap ROOT SUITE PACKAGES: a minbase Debian with PACKAGES
# (comma-separated; their Depends, no Recommends) from apt's mirror, else
# debootstrap's default.
rootfs_debootstrap() {
	_mirror=$(apt_mirror | head -n 1)
	echo "mkrootfs: debootstrap $2 ${_mirror:-(default mirror)} into $1" >&2
	debootstrap --variant=minbase --include="$3" "$2" "$1" $_mirror >&2 ||
		{ tail -n 30 "$1/debootstrap/debootstrap.log" >&2 2>/dev/null; return 1; }
}

# rootfs_small_initrd ROOT: an initrd that only knows the virtio disk and
# ext4: smaller, faster to boot.
rootfs_small_initrd() {
	echo "MODULES=list" > "$1/etc/initramfs-tools/conf.d/gemsoak-vm"
	printf 'virtio_pci\nvirtio_blk\next4\n' >> "$1/etc/initramfs-tools/modules"
	chroot "$1" update-initramfs -u -k all >&2
}

# rootfs_strip_modules ROOT DIR...: remove these directories under each
# kernel's modules (drivers the VM never loads: a smaller image), depmod.
rootfs_strip_modules() {
	_root=$1
	shift
	for _m in "$_root"/lib/modules/*; do
		(cd "$_m/kernel" && rm -rf "$@")
		chroot "$_root" depmod "${_m##*/}"
	done
}

# rootfs_pack ROOT TARBALL: root on the first virtio disk, no apt archives,
# docs or locales; then ROOT as TARBALL (PREFIX-KEY.tar.gz), removing the
# tarballs of older keys (never used again).
rootfs_pack() {
	echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$1/etc/fstab"
	rm -rf "$1/var/cache/apt/archives/"*.deb "$1/usr/share/doc" "$1/usr/share/man" \
		"$1/usr/share/locale"
	tar -C "$1" --numeric-owner -czf "$2.tmp" .
	rm -f "${2%-*}"-*.tar.gz
	mv "$2.tmp" "$2"
}
