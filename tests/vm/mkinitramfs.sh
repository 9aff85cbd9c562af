#!/bin/sh
# Build the test initramfs: busybox-static, the given binaries with the
# shared libraries they need, and the kernel modules for vgem, 9p, a
# virtio disk (tests/lib.sh VM_DISK), and
# loop and ext4 (a block-backed filesystem the storage tests can force
# read-only; ext4 asks for crc32c at mount time, which modinfo does not
# list) and binder_linux (Android's IPC, /dev/binder), with their
# dependencies, in load order.
# usage: mkinitramfs.sh KERNEL_DIR OUT.cpio.gz BINARY...
# GS_INITRAMFS_FILES: more files copied at their own paths (no libraries
# resolved), e.g. valgrind's tool and preload objects.
# GS_INITRAMFS_MODULES: more of the kernel's modules to load (with their
# dependencies), by file name, e.g. virtio-gpu.
# GS_INITRAMFS_VARIANTS: "NAME=DIR ..." rebuilt modules (DIR/*.ko, from
# kernel/bugs/build-modules.sh) kept as /lib/modules/variants/NAME/; the
# kernel command line's gs.modules=NAME makes /init load them in place of
# the image's modules of the same names.
set -eu
kdir=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
chmod 755 "$root" # the guest's /: unprivileged workers must traverse it
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/lib/modules"
cp /bin/busybox "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$here/share-job.sh" "$root/bin/gs-share-job"
chmod 755 "$root/bin/gs-share-job"

for bin in "$@"; do
	cp "$bin" "$root/bin/"
	# ldd prints "name => /path (addr)" and "/lib64/ld-linux... (addr)".
	for lib in $(ldd "$bin" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

for f in ${GS_INITRAMFS_FILES:-}; do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done

moddir=$(ls -d "$kdir"/lib/modules/*/ | head -n 1)
path_of() { find "$moddir" -name "$1.ko" -o -name "$1.ko.xz" | head -n 1; }
order=""
add_module() {
	case " $order " in *" $1 "*) return ;; esac
	f=$(path_of "$1")
	[ -n "$f" ] || { echo "mkinitramfs: module $1 not in $moddir" >&2; exit 1; }
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		add_module "$dep"
	done
	order="$order $1"
}
for m in vgem virtio_pci 9pnet_virtio 9p virtio_blk loop crc32c_generic ext4 binder_linux ${GS_INITRAMFS_MODULES:-}; do
	add_module "$m"
done
: > "$root/etc/modules.order"
for m in $order; do
	f=$(path_of "$m")
	case "$f" in
	*.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	echo "$m.ko" >> "$root/etc/modules.order"
done
for v in ${GS_INITRAMFS_VARIANTS:-}; do
	name=${v%%=*} dir=${v#*=}
	mkdir -p "$root/lib/modules/variants/$name"
	cp "$dir"/*.ko "$root/lib/modules/variants/$name/"
done
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
