#!/bin/sh
# Build (once) a Debian rootfs for the display-stack VM: Xorg with the
# modesetting driver, a few X clients, weston (its DRM backend, the pixman
# renderer, weston-info), the daemon's runtime libraries and
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
libevent-2.1-7,libdrm2,libsqlite3-0,libinih1,libsystemd0,libbpf1,sqlite3,procps,\
xserver-xorg-core,xserver-xorg-input-libinput,x11-utils,x11-xserver-utils,weston"

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
# What weston's DRM backend with the pixman renderer does not need: its
# RDP backend, PipeWire and remoting plugins and what only they link
# (FreeRDP, FFmpeg's codecs, GStreamer, PipeWire): 125 MB.
lib=$root/usr/lib/x86_64-linux-gnu
rm -rf "$lib"/libweston-10/rdp-backend.so "$lib"/libweston-10/pipewire-plugin.so "$lib"/libweston-10/remoting-plugin.so \
	"$lib"/libfreerdp* "$lib"/libwinpr* "$lib"/libavcodec.so* "$lib"/libavutil.so* "$lib"/libswresample.so* \
	"$lib"/libswscale.so* "$lib"/libx264.so* "$lib"/libx265.so* "$lib"/libcodec2.so* "$lib"/libmfx* "$lib"/mfx \
	"$lib"/libSvtAv1Enc.so* "$lib"/libaom.so* "$lib"/librav1e.so* "$lib"/libdav1d.so* "$lib"/libvpx.so* "$lib"/libjxl.so* \
	"$lib"/libzvbi* "$lib"/libmp3lame.so* "$lib"/libshine.so* "$lib"/libtwolame.so* "$lib"/libxvidcore.so* "$lib"/libtheora* \
	"$lib"/libvorbis* "$lib"/libopus.so* "$lib"/libspeex.so* "$lib"/libgsm.so* "$lib"/libsoxr* "$lib"/libopenjp2.so* \
	"$lib"/libwebrtc-audio* "$lib"/libpipewire-0.3* "$lib"/spa-0.2 "$lib"/pipewire-0.3 "$lib"/libgst* "$lib"/gstreamer-1.0 \
	"$lib"/liborc* "$lib"/libOpenCL* "$lib"/librsvg-2.so*
# What the VM runs must still find every library it links.
for b in /usr/lib/xorg/Xorg /usr/lib/xorg/modules/drivers/modesetting_drv.so /usr/lib/xorg/modules/input/libinput_drv.so \
	/usr/bin/xdpyinfo /usr/bin/xrandr /usr/bin/weston /usr/bin/weston-info /usr/lib/x86_64-linux-gnu/weston/libexec_weston.so.0 \
	/usr/lib/x86_64-linux-gnu/libweston-10/drm-backend.so /usr/lib/x86_64-linux-gnu/weston/kiosk-shell.so \
	/usr/lib/x86_64-linux-gnu/weston/systemd-notify.so; do
	missing=$(chroot "$root" ldd "$b" 2>&1 | grep 'not found\|No such file') || continue
	echo "mkrootfs: $b: $missing" >&2
	exit 1
done
echo gemsoak-display > "$root/etc/hostname"
rootfs_pack "$root" "$tarball"
echo "$tarball"
