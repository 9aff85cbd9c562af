#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test initramfs: mount the usual filesystems, load the DRM
# and 9p modules, mount the host's share and run its job.sh, then power off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp /mnt/share /var/lib/gemsoak /etc
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
hostname gemsoak-vm
# gs.modules=NAME on the command line: load the rebuilt modules of that
# variant (tests/vm/mkinitramfs.sh GS_INITRAMFS_VARIANTS) in place of the
# image's own.
variant=$(sed -n 's/.*gs\.modules=\([^ ]*\).*/\1/p' /proc/cmdline)
# shellcheck disable=SC2013 # one module path per line, no spaces
for m in $(cat /etc/modules.order); do
	f=/lib/modules/$m
	[ -n "$variant" ] && [ -f "/lib/modules/variants/$variant/$m" ] && f=/lib/modules/variants/$variant/$m
	insmod "$f" || echo "init: insmod $f failed"
done
/bin/gs-share-job
poweroff -f
