#!/bin/sh
# Boot the display-stack VM (tests/vm-display/mkimage.sh made IMAGE_DIR)
# with a virtio-gpu card; the guest runs SHARE/job.sh and leaves job.log,
# job.status and whatever the job copies in SHARE, like tests/vm/run.sh.
# usage: run.sh IMAGE_DIR SHARE_DIR [TIMEOUT_SECONDS]
# TCG by default (GS_VM_ACCEL overrides); the disk is a snapshot, so each
# boot starts from the same image.
set -eu
img=$(cd "$1" && pwd)
share=$(cd "$2" && pwd)
limit=${3:-600}
rm -f "$share/job.status" "$share/job.log"
timeout "$limit" qemu-system-x86_64 \
	-machine "q35,accel=${GS_VM_ACCEL:-tcg}" -m "${GS_VM_MEM:-1536}" -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$img/vmlinuz" -initrd "$img/initrd" \
	-append "root=/dev/vda rw console=ttyS0 quiet panic=-1 init=/sbin/gs-display-init" \
	-drive "file=$img/root.img,format=raw,if=virtio,snapshot=on" \
	-device virtio-gpu-pci \
	-virtfs "local,path=$share,mount_tag=share,security_model=none,id=share" \
	> "$share/console.log" 2>&1 || true
if [ ! -f "$share/job.status" ]; then
	echo "run.sh: the VM did not finish its job (see $share/console.log):" >&2
	tail -n 30 "$share/console.log" >&2
	exit 1
fi
exit 0
