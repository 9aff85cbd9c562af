#!/bin/sh
# Fetch Debian's linux-source package (via apt, from the machine's own apt
# sources) once into build/cache and unpack only the parts the fix series
# looks at (the top Makefile, the drm core and i915 of drivers/gpu/drm,
# include/drm, include/linux/dma-buf.h; 16 MB of the 140 MB package) into
# build/cache/PACKAGE-drm. Prints that directory.
#   usage: kernel/fetch-debian-source.sh [PACKAGE]   (default linux-source-6.1)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
pkg=${1:-linux-source-6.1}
cache="$top/build/cache"
dest="$cache/$pkg-drm"
if [ -f "$dest/.done" ]; then
	echo "$dest"
	exit 0
fi
mkdir -p "$cache"
deb=$(ls "$cache"/"$pkg"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	# apt's download runs as _apt, which needs a directory it may write.
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "$pkg" >&2) ||
		(apt-get update -qq >&2 && cd "$tmp" && apt-get download -q "$pkg" >&2) ||
		{ echo "fetch-debian-source: cannot download $pkg with apt-get" >&2; rm -rf "$tmp"; exit 1; }
	mv "$tmp"/*.deb "$cache"/
	rmdir "$tmp"
	deb=$(ls "$cache"/"$pkg"_*.deb | head -n 1)
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
# The .deb holds usr/src/linux-source-X.Y.tar.xz; stream it straight out
# of the package and keep only the drm parts of the tree (one pass).
name=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed -n 's|^\./usr/src/\(linux-source-[^/]*\)\.tar\.xz$|\1|p' | head -n 1)
[ -n "$name" ] || { echo "fetch-debian-source: no linux-source tarball in $deb" >&2; exit 1; }
dpkg-deb --fsys-tarfile "$deb" | tar -x -O -f - "./usr/src/$name.tar.xz" |
	tar -x -J -C "$dest.tmp" -f - \
		--wildcards --no-wildcards-match-slash "$name/drivers/gpu/drm/*.[ch]" \
		--wildcards-match-slash "$name/drivers/gpu/drm/i915/*" "$name/include/drm/*" \
		--no-wildcards "$name/Makefile" "$name/include/linux/dma-buf.h"
src=$(ls -d "$dest.tmp"/linux-source-* | head -n 1)
rm -rf "$dest"
mv "$src" "$dest"
rm -rf "$dest.tmp"
touch "$dest/.done"
echo "$dest"
