#!/bin/sh
# In the guest, from its init (tests/vm/init.sh, tests/vm-display/init.sh):
# mount the host's 9p share at /mnt/share, run its job.sh with the output
# in job.log and the exit status in job.status, and unmount it. The 9p
# modules must be loaded already.
mkdir -p /mnt/share
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
