#!/bin/sh
# Boot Debian's kernel with the test initramfs; the guest runs SHARE/job.sh
# and leaves job.log, job.status and whatever the job copies in SHARE.
# usage: run.sh SHARE_DIR [TIMEOUT_SECONDS]
# Software emulation (TCG) by default: KVM is not usable on every machine
# that has /dev/kvm; GS_VM_ACCEL=kvm overrides. GS_VM_APPEND adds to the
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
accel=${GS_VM_ACCEL:-tcg}
rm -f "$share/job.status" "$share/job.log"
timeout "$limit" qemu-system-x86_64 \
	-machine "q35,accel=$accel" -m "${GS_VM_MEM:-1536}" -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$(ls "$kdir"/boot/vmlinuz-* | head -n 1)" \
	-initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 ${GS_VM_APPEND:-}" \
	${GS_VM_DEVICES:-} \
	${GS_VM_DISK:+-drive file=$GS_VM_DISK,if=virtio,format=raw} \
	-virtfs "local,path=$share,mount_tag=share,security_model=none,id=share" \
	> "$share/console.log" 2>&1 || true
if [ ! -f "$share/job.status" ]; then
	echo "run.sh: the VM did not finish its job (see $share/console.log):" >&2
	tail -n 30 "$share/console.log" >&2
	exit 1
fi
exit 0
