#!/bin/busybox sh
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
for m in $(cat /etc/modules.order); do
	insmod "/lib/modules/$m" || echo "init: insmod $m failed"
done
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share /mnt/share; then
	if [ -x /mnt/share/job.sh ]; then
		/mnt/share/job.sh > /mnt/share/job.log 2>&1
		echo $? > /mnt/share/job.status
	else
		echo "init: no /mnt/share/job.sh"
	fi
	sync
	umount /mnt/share
else
	echo "init: cannot mount the 9p share"
fi
poweroff -f
