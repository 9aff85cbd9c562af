#!/bin/sh
# Boot the display-stack VM (tests/vm-display/mkimage.sh made IMAGE_DIR)
# with a virtio-gpu card; the guest runs SHARE/job.sh and leaves job.log,
# job.status and whatever the job copies in SHARE, like tests/vm/run.sh.
# usage: run.sh IMAGE_DIR SHARE_DIR [TIMEOUT_SECONDS]
# TCG by default (tests/vm/qemu.sh); the disk is a snapshot, so each
# boot starts from the same image. GS_VM_DISK is a raw image the guest
# sees as its second virtio disk, /dev/vdb (a database's disk, written).
set -eu
img=$(cd "$1" && pwd)
share=$(cd "$2" && pwd)
limit=${3:-600}
# shellcheck source=tests/vm/qemu.sh
. "$(dirname "$0")/../vm/qemu.sh"
vm_qemu "$share" "$limit" "$img/vmlinuz" "$img/initrd" "root=/dev/vda rw init=/sbin/gs-display-init" \
	-drive "file=$img/root.img,format=raw,if=virtio,snapshot=on" \
	${GS_VM_DISK:+-drive "file=$GS_VM_DISK,format=raw,if=virtio"} \
	-device virtio-gpu-pci
exit 0
