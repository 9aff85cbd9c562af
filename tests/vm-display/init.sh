#!/bin/sh
# PID 1 of the display-stack VM (init=): mount what the daemon and Xorg
# need, let udev load the drivers of the devices (virtio_gpu, which fbcon
# binds to), load vgem, run the host's job (tests/vm/share-job.sh, like
# tests/vm/init.sh), then power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mnt() { mountpoint -q "$3" || mount -t "$1" "$2" "$3"; }
mnt proc proc /proc
mnt sysfs sys /sys
mnt devtmpfs dev /dev
mkdir -p /dev/pts /run
mnt devpts devpts /dev/pts
mnt tmpfs run /run
mnt tmpfs tmp /tmp
mnt debugfs debugfs /sys/kernel/debug
hostname gemsoak-display
/lib/systemd/systemd-udevd --daemon
udevadm trigger --action=add
udevadm settle --timeout=60
modprobe virtio_gpu || echo "init: no virtio_gpu"
modprobe vgem || echo "init: no vgem"
udevadm settle --timeout=60
modprobe 9pnet_virtio || echo "init: no 9pnet_virtio"
/sbin/gs-share-job
sync
echo o > /proc/sysrq-trigger
sleep 60
