#!/bin/sh
# Build drm.ko and vgem.ko out of tree for exactly the kernel the test VM
# boots (tests/vm/fetch-kernel.sh), from Debian's linux-source of the same
# version, against its linux-headers: stock, and with each re-introduction
# patch of kernel/bugs/ (NNN-*.patch). Modules are cached in
#   build/cache/drm-modules/KERNEL_VERSION/VARIANT-HASH/{drm,vgem}.ko
# keyed by the kernel version and a hash of the patch and of this script,
# so a second run costs nothing. Prints one line per variant:
#   VARIANT DIRECTORY
#   usage: kernel/bugs/build-modules.sh [VARIANT...]   (stock 000 001 ...;
#          default: stock and every patch)
# Needs root the first time (apt-get installs the headers package).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bugs="$top/kernel/bugs"
cache="$top/build/cache"
kdir=$("$top/tests/vm/fetch-kernel.sh")
kver=$(basename "$(ls -d "$kdir"/lib/modules/*/ | head -n 1)")
imgdeb=$(ls "$cache"/linux-image-"$kver"_*.deb | head -n 1)
debver=$(dpkg-deb -f "$imgdeb" Version)
series=$(echo "$kver" | cut -d. -f1,2)
say() { echo "build-modules: $*" >&2; }

[ $# -gt 0 ] || set -- stock $(cd "$bugs" && ls [0-9][0-9][0-9]-*.patch | cut -c1-3)

# The headers of exactly that version (they bring linux-kbuild and the
# compiler the image was built with).
hdr=/usr/src/linux-headers-$kver
if [ ! -f "$hdr/include/config/auto.conf" ]; then
	say "installing linux-headers-$kver=$debver"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
		"linux-headers-$kver=$debver" >&2 ||
		{ apt-get -o DPkg::Lock::Timeout=900 update -qq >&2 &&
		  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
			"linux-headers-$kver=$debver" >&2; } ||
		{ say "cannot install linux-headers-$kver=$debver"; exit 1; }
fi

# drivers/gpu/drm (top level and vgem/) of linux-source-X.Y, same version.
src="$cache/drm-modules/src-$debver"
if [ ! -f "$src/.done" ]; then
	srcdeb=$(ls "$cache"/linux-source-"$series"_"$debver"_all.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$srcdeb" ]; then
		tmp=$(mktemp -d)
		chmod 755 "$tmp" # apt's download runs as _apt
		(cd "$tmp" && apt-get download -q "linux-source-$series=$debver" >&2) ||
			(apt-get update -qq >&2 && cd "$tmp" && apt-get download -q "linux-source-$series=$debver" >&2) ||
			{ say "cannot download linux-source-$series=$debver"; rm -rf "$tmp"; exit 1; }
		mv "$tmp"/*.deb "$cache"/
		rmdir "$tmp"
		srcdeb=$(ls "$cache"/linux-source-"$series"_"$debver"_all.deb | head -n 1)
	fi
	say "unpacking drivers/gpu/drm from $(basename "$srcdeb")"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$srcdeb" | tar -x -O -f - "./usr/src/linux-source-$series.tar.xz" |
		tar -x -J -C "$src.tmp" -f - --wildcards --no-wildcards-match-slash \
			"linux-source-$series/drivers/gpu/drm/*.[ch]" \
			"linux-source-$series/drivers/gpu/drm/Makefile" \
			"linux-source-$series/drivers/gpu/drm/vgem/*"
	rm -rf "$src"
	mv "$src.tmp/linux-source-$series/drivers/gpu/drm" "$src"
	rm -rf "$src.tmp"
	touch "$src/.done"
fi

# One work tree for every variant: a patch touches one or two files, so
# after the first build only those are compiled again.
work="$cache/drm-modules/work-$kver"
if [ ! -f "$work/Kbuild" ]; then
	rm -rf "$work"
	cp -r "$src" "$work"
	rm -f "$work/Makefile" "$work/.done"
	# The trace header includes itself by a path relative to include/trace.
	sed -i 's|^#define TRACE_INCLUDE_PATH .*|#define TRACE_INCLUDE_PATH .|' "$work/drm_trace.h"
	{
		echo "# drm.ko and vgem.ko of Debian's $kver, built by kernel/bugs/build-modules.sh"
		# drm-y as drivers/gpu/drm/Makefile lists it; CONFIG_* come from the
		# headers' auto.conf, which kbuild reads for M= builds.
		sed -n '/^drm-y/,/^obj-\$(CONFIG_DRM)[[:space:]]*+= drm.o/p' "$src/Makefile"
		echo 'CFLAGS_drm_trace_points.o := -I$(src)'
		sed -n 's/^vgem-y/vgem-y/p' "$src/vgem/Makefile" | sed 's|\([a-z_]*\.o\)|vgem/\1|g'
		echo 'obj-m += vgem.o'
	} > "$work/Kbuild.tmp"
	grep -q '^obj-\$(CONFIG_DRM)' "$work/Kbuild.tmp" || { say "no drm-y list in $src/Makefile"; exit 1; }
	mv "$work/Kbuild.tmp" "$work/Kbuild"
fi

self=$(sha256sum "$0" | cut -c1-12)
for v in "$@"; do
	if [ "$v" = stock ]; then
		patch=""
		key="stock-$self"
	else
		patch=$(ls "$bugs"/"$v"-*.patch 2>/dev/null | head -n 1 || true)
		[ -n "$patch" ] || { say "no patch $v in $bugs"; exit 1; }
		key="$v-$(cat "$patch" "$0" | sha256sum | cut -c1-12)"
	fi
	out="$cache/drm-modules/$kver/$key"
	if [ ! -f "$out/.done" ]; then
		# Back to the pristine sources, then the variant's patch.
		for f in drm_gem.c drm_prime.c drm_file.c drm_drv.c drm_debugfs.c; do
			cmp -s "$src/$f" "$work/$f" || cp "$src/$f" "$work/$f"
		done
		if [ -n "$patch" ]; then
			files=$(sed -n 's|^+++ b/drivers/gpu/drm/\([^[:space:]]*\).*|\1|p' "$patch")
			for f in $files; do
				case " drm_gem.c drm_prime.c drm_file.c drm_drv.c drm_debugfs.c " in
				*" $f "*) ;;
				*) say "$patch touches $f, which this script does not restore"; exit 1 ;;
				esac
			done
			(cd "$work" && patch -p4 -s < "$patch") || { say "$patch does not apply to $debver"; exit 1; }
		fi
		say "building $v for $kver"
		make -s -C "$hdr" M="$work" -j"$(nproc)" modules >&2 ||
			{ say "the build of $v failed"; exit 1; }
		rm -rf "$out"
		mkdir -p "$out"
		for m in drm vgem; do
			strip --strip-debug -o "$out/$m.ko" "$work/$m.ko"
		done
		# The guest refuses a module whose vermagic differs from its own.
		want=$(modinfo -F vermagic "$(find "$kdir/lib/modules/$kver" -name 'drm.ko*' | head -n 1)")
		got=$(modinfo -F vermagic "$out/drm.ko")
		[ "$got" = "$want" ] || { say "vermagic '$got' is not the image's '$want'"; exit 1; }
		touch "$out/.done"
	fi
	echo "$v $out"
done
