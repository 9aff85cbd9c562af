# shellcheck shell=sh
# Sourced by tests/vm/run.sh and tests/vm-display/run.sh (POSIX sh).
# vm_qemu SHARE LIMIT KERNEL INITRD APPEND [QEMU ARGS...]: boot KERNEL
# under qemu for at most LIMIT seconds, with the host directory SHARE as
# the guest's 9p share `share` and APPEND added to the kernel command line;
# the guest runs SHARE/job.sh (tests/vm/share-job.sh) and powers off. The
# console goes to SHARE/console.log. Exits 1 when the guest did not finish
# its job. TCG by default (KVM is not usable on every machine that has
# /dev/kvm); GS_VM_ACCEL=kvm overrides, GS_VM_MEM sets the memory in MB.
vm_qemu() {
	share=$1 limit=$2 kernel=$3 initrd=$4 append=$5
	shift 5
	rm -f "$share/job.status" "$share/job.log"
	timeout "$limit" qemu-system-x86_64 \
		-machine "q35,accel=${GS_VM_ACCEL:-tcg}" -m "${GS_VM_MEM:-1536}" -smp 2 \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 $append" \
		"$@" \
		-virtfs "local,path=$share,mount_tag=share,security_model=none,id=share" \
		> "$share/console.log" 2>&1 || true
	if [ ! -f "$share/job.status" ]; then
		echo "run.sh: the VM did not finish its job (see $share/console.log):" >&2
		tail -n 30 "$share/console.log" >&2
		exit 1
	fi
}
