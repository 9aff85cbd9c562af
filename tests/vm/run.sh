#!/bin/sh
# Boot Debian's kernel with the test initramfs; the guest runs SHARE/job.sh
# and leaves job.log, job.status and whatever the job copies in SHARE.
# usage: run.sh SHARE_DIR [TIMEOUT_SECONDS]
# TCG by default (tests/vm/qemu.sh). GS_VM_APPEND adds to the
# kernel command line (gs.modules=NAME), GS_VM_DEVICES to qemu's devices
# (-device virtio-gpu-pci), GS_VM_MEM sets the guest's memory in MB and
# GS_VM_DISK is a raw image the guest sees as its virtio disk /dev/vda.
set -eu
share=$(cd "$1" && pwd)
limit=${2:-300}
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$("$top/tests/vm/fetch-kernel.sh")
initrd=${GS_VM_INITRD:-$top/build/vm/initramfs.cpio.gz}
[ -f "$initrd" ] || { echo "run.sh: $initrd missing (make vm-initramfs)" >&2; exit 1; }
. "$top/tests/vm/qemu.sh"
# shellcheck disable=SC2086 # GS_VM_DEVICES is qemu options, split on purpose
vm_qemu "$share" "$limit" "$(ls "$kdir"/boot/vmlinuz-* | head -n 1)" "$initrd" "${GS_VM_APPEND:-}" \
	${GS_VM_DEVICES:-} ${GS_VM_DISK:+-drive file=$GS_VM_DISK,if=virtio,format=raw}
exit 0
