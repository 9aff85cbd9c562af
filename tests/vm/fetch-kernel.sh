#!/bin/sh
# Fetch Debian's current linux-image (via apt, from the machine's own apt
# sources) and unpack it once into build/vm/kernel. Prints that directory,
# which holds boot/vmlinuz-* and lib/modules/*.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="$top/build/cache"
dest="$top/build/vm/kernel"
if [ -f "$dest/.done" ]; then
	echo "$dest"
	exit 0
fi
mkdir -p "$cache" "$(dirname "$dest")"
# One fetch at a time: make -j runs this for several initramfs targets at
# once, and a second unpack would remove the tree the first one returned.
exec 9> "$dest.lock"
flock 9
if [ -f "$dest/.done" ]; then
	echo "$dest"
	exit 0
fi
image_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
pkg=$(image_pkg)
if [ -z "$pkg" ]; then
	apt-get update -qq >&2
	pkg=$(image_pkg)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot find Debian's linux-image package (apt-cache depends linux-image-amd64)" >&2; exit 1; }
deb=$(ls "$cache"/"$pkg"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	# apt's download runs as _apt, which needs a directory it may write.
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "$pkg" >&2) || (apt-get update -qq >&2 && cd "$tmp" && apt-get download -q "$pkg" >&2)
	mv "$tmp"/*.deb "$cache"/
	rmdir "$tmp"
	deb=$(ls "$cache"/"$pkg"_*.deb | head -n 1)
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
dpkg-deb -x "$deb" "$dest.tmp"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.done"
echo "$dest"
