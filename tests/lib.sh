# shellcheck shell=sh
# Shared helpers for tests/integration/*.sh (sourced; POSIX sh).
# Each test runs from the repository root.

TOP=$(pwd)
# shellcheck disable=SC2034 # for the scripts that source this file
GEMSOAKD=$TOP/build/gemsoakd

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run_rc CMD...: run CMD with stderr to $ERR (default /dev/null) and put
# its exit status in $rc, without tripping `set -e`.
run_rc() {
	set +e
	"$@" 2> "${ERR:-/dev/null}"
	rc=$?
	set -e
}

# wait_daemon: wait for $daemon (a background gemsoakd) to exit: its exit
# status in $rc; $daemon emptied.
wait_daemon() {
	set +e
	wait "$daemon"
	rc=$?
	set -e
	daemon=
}

# stop_daemon: SIGTERM to $daemon, then wait_daemon.
stop_daemon() {
	kill -TERM "$daemon"
	wait_daemon
}

# wait_line FILE PATTERN [SECONDS]: poll FILE until a line matches the
# grep PATTERN (at most SECONDS, default 30); fail with FILE shown if not.
wait_line() {
	i=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $((${3:-30} * 10)) ] || { cat "$1"; fail "no '$2' in $1 within ${3:-30} s"; }
		sleep 0.1
	done
}

# expect STATUS PATTERN CMD...: CMD's exit status and a line of its stdout
# matching the ERE PATTERN; stdout in $EXPECT_DIR/out, stderr in
# $EXPECT_DIR/err (EXPECT_DIR set by the test).
expect() {
	want=$1 pattern=$2
	shift 2
	ERR=$EXPECT_DIR/err run_rc "$@" > "$EXPECT_DIR/out"
	[ "$rc" = "$want" ] || { cat "$EXPECT_DIR/out" "$EXPECT_DIR/err"; fail "$*: exit $rc, expected $want"; }
	grep -Eq -- "$pattern" "$EXPECT_DIR/out" || { cat "$EXPECT_DIR/out"; fail "$*: no line matches '$pattern'"; }
}

# sql DB QUERY: one value (or rows, |-separated) from the real sqlite3.
sql() {
	sqlite3 -batch -noheader "$1" "$2"
}

# set_thresholds DB SET: change DB's trend thresholds (an SQL SET list,
# e.g. "min_span_s = 4, min_windows = 4") and have gemsoak judge its runs
# again with them, as any reader after the edit would: the verdicts are
# stored, so a plain sqlite3 read of leak_trends shows them.
set_thresholds() {
	sql "$1" "update trend_thresholds set $2"
	"$TOP/build/gemsoak" runs -D "$1" > /dev/null || fail "gemsoak runs -D $1: exit $? after the thresholds' edit"
}

# trace_canary DB RUN: record in DB what the origins source records on a
# real kernel (gemsoak-synth and the kernel model trace nothing): RUN's
# canary made GEM objects through vgem's dumb-buffer creation, 1 alive
# 600 s into the run, 8 at its end (7200 s).
trace_canary() {
	sql "$1" "insert or ignore into origin_stacks(stack) values ('drm_gem_object_init+0x2c/0x100
__drm_gem_shmem_create+0x8d/0x170
drm_gem_shmem_dumb_create+0x2f/0xb0
drm_ioctl_kernel+0xb5/0x160
drm_ioctl+0x22f/0x410
__x64_sys_ioctl+0x8d/0xd0
do_syscall_64+0x58/0xc0');
	insert into object_origins select r.id, r.started + x.t, 'gem', 'canary', 'gs:canary', s.id, x.alive, 4096 * x.alive
	from runs r, origin_stacks s, (select 600 as t, 1 as alive union all select 7200, 8) x
	where r.id = $2 and s.stack like 'drm_gem_object_init+0x2c/0x100%'"
}

# assert_sql DB QUERY EXPECTED MESSAGE
assert_sql() {
	got=$(sql "$1" "$2")
	[ "$got" = "$3" ] || fail "$4: '$2' gave '$got', expected '$3'"
}

# assert_true DB CONDITION_QUERY MESSAGE: the query must print 1.
assert_true() {
	got=$(sql "$1" "$2")
	[ "$got" = 1 ] || fail "$3 ($2 gave '$got')"
}

# series METRIC AGG [CONDITION]: a subquery giving AGG (an expression of
# aggregates over s.value, e.g. 'max(s.value)') of METRIC's samples, those
# that meet CONDITION (SQL over s) when one is given. For sql, assert_sql
# and assert_true: "select $(series gem.flink_names 'max(s.value)') <= 2".
series() {
	printf "(select %s from samples s join metrics m on m.id = s.metric_id where m.name = '%s'%s)" \
		"$2" "$1" "${3:+ and $3}"
}

# flink_share_conf FILE [PRODUCERS CONSUMERS [DAEMON_KEYS]]: a config of a
# [daemon] section with DAEMON_KEYS ("key = value" lines; default a round
# every second, "interval = 1s") and one flink-share workload of PRODUCERS
# producers and CONSUMERS consumers (1 and 1 by default): the load the
# storage and fault tests run under. The workload's section comes last,
# so lines appended to FILE add keys to it, or further sections.
flink_share_conf() {
	printf '[daemon]\n%s\n\n[workload flink-share]\nproducers = %s\nconsumers = %s\n' \
		"${4:-interval = 1s}" "${2:-1}" "${3:-1}" > "$1"
}

# model_flink_conf FILE DIR: the same load against a kernel model started
# in DIR (model_start DIR), at 50 cycles a second.
model_flink_conf() {
	printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\n\n[workload flink-share]\nproducers = 1\nconsumers = 1\nrate = 50\n' \
		"$2" "$2" > "$1"
}

# model_prime_conf FILE: prime-share at 200 cycles a second against the
# kernel model that model_run_daemon starts (@DEVICE@, @DEBUGFS@), sampled
# every 500 ms with 1 s windows.
model_prime_conf() {
	printf '[daemon]\ndevice = @DEVICE@\ndebugfs = @DEBUGFS@\ninterval = 500ms\ntrend_window = 1s\n\n[workload prime-share]\nrate = 200\n' > "$1"
}

# assert_rounds_kept DB ROUNDS: after a storage fault the daemon recovered
# from, the rounds of a 1 s interval run are in DB (at least ROUNDS), none
# missing for 4 s (a loaded guest takes them up to 3.3 s apart; a fault's
# rounds not kept leave the whole fault's seconds, 8 or more), nothing
# counted as dropped, and the database is intact.
assert_rounds_kept() {
	assert_sql "$1" "pragma integrity_check" ok "database integrity"
	assert_true "$1" "select count(*) >= $2 from ticks" "every round written"
	assert_true "$1" "select max(t2.t - t1.t) < 4 from ticks t1 join ticks t2 on t2.id = t1.id + 1" "no gap between rounds"
	assert_true "$1" "select $(series daemon.samples_dropped 'max(s.value)') = 0" "nothing dropped"
}

# vm_boot OUTDIR TIMEOUT: boot the VM, which runs OUTDIR/job.sh (written
# by the caller; OUTDIR is /mnt/share in the guest) and powers off.
# A guest that never reached its job (no job.log: hung after the BIOS or in
# early boot, which TCG guests were seen to do on a loaded host) is booted
# once more; nothing of the test ran in it. VM_DISPLAY=IMAGE_DIR boots the
# display-stack VM of that image (tests/vm-display/: virtio-gpu with
# fbcon, vgem, Xorg) instead of the vgem one.
vm_boot() {
	chmod +x "$1/job.sh"
	vm_runner "$1" "$2" && return 0
	[ ! -f "$1/job.log" ] || fail "the VM run failed"
	echo "vm_boot: the guest never started its job; booting it once more" >&2
	mv "$1/console.log" "$1/console-first-boot.log" 2>/dev/null || true
	vm_runner "$1" "$2" || fail "the VM run failed (twice)"
}

# vm_runner OUTDIR TIMEOUT: one boot of the VM that VM_DISPLAY chooses.
vm_runner() {
	if [ -n "${VM_DISPLAY:-}" ]; then
		"$TOP/tests/vm-display/run.sh" "$VM_DISPLAY" "$1" "$2"
	else
		"$TOP/tests/vm/run.sh" "$1" "$2"
	fi
}

# vm_run_daemon CONFIG DURATION OUTDIR [GEMSOAKD ARGS...]
# Boot Debian's kernel with vgem, run gemsoakd with CONFIG for DURATION
# seconds, and bring back OUTDIR/gs.db, OUTDIR/gemsoakd.status and
# OUTDIR/job.log. In the guest (busybox sh): VM_BEFORE runs before the
# daemon starts, VM_DURING while it runs (wait_sql QUERY there waits until
# QUERY on the daemon's database prints 1), VM_AFTER once it exited; VM_WRAP
# is a command the daemon runs under (valgrind); VM_LIMIT the seconds the
# guest may take in all (default DURATION + 180). The database is
# /var/lib/gemsoak/gs.db on an ext4 disk of its own (OUTDIR/disk.img, a
# virtio disk), where a guest that runs out of memory or crashes cannot
# take it and its growth is not the guest's shared memory (mem.shmem_kb);
# it is read back from the image with debugfs(8), the guest not having to
# finish for that. A test of storage trouble gives its own path in VM_DB
# (a small tmpfs, a loop filesystem; copied back when the guest ends), or
# VM_DISK=0 for /tmp/gs.db on the guest's tmpfs. With VM_DISPLAY (vm_boot)
# it runs in the display-stack VM, whose root is the first virtio disk: the
# database's is the second there.
vm_run_daemon() {
	conf=$1 duration=$2 out=$3
	shift 3
	rm -rf "$out"
	mkdir -p "$out"
	cp "$conf" "$out/test.conf"
	mount_disk="" umount_disk="" copy_back=""
	disk=${VM_DISK:-1}
	case ${VM_DB:-} in ""|/var/lib/gemsoak/*) ;; *) disk=0 ;; esac
	if [ "$disk" = 1 ]; then
		gdb=${VM_DB:-/var/lib/gemsoak/gs.db}
		truncate -s 1G "$out/disk.img"
		mke2fs -q -t ext4 -F "$out/disk.img"
		dev=/dev/vda
		[ -z "${VM_DISPLAY:-}" ] || dev=/dev/vdb
		mount_disk="mkdir -p /var/lib/gemsoak; mount -t ext4 $dev /var/lib/gemsoak || echo 'job: cannot mount the database disk'"
		umount_disk="sync; umount /var/lib/gemsoak"
	else
		gdb=${VM_DB:-/tmp/gs.db}
		copy_back="cp $gdb /mnt/share/gs.db; ls $gdb-wal >/dev/null 2>&1 && cp $gdb-wal /mnt/share/gs.db-wal"
	fi
	cat > "$out/job.sh" <<JOB
#!/bin/sh
# wait_sql QUERY: until QUERY on the daemon's database prints 1 (at most
# 5 minutes), so that VM_DURING acts on what the daemon did, however slow
# the guest runs.
wait_sql() {
	w=0
	until [ "\$(sqlite3 $gdb "\$1" 2>/dev/null)" = 1 ]; do
		w=\$((w + 1))
		[ \$w -lt 1500 ] || { echo "job: no answer 1 to '\$1' after 5 minutes"; return 1; }
		sleep 0.2
	done
}
$mount_disk
${VM_BEFORE:-}
${VM_WRAP:-} gemsoakd -c /mnt/share/test.conf --database $gdb --duration $duration $* &
daemon=\$!
${VM_DURING:-}
wait \$daemon
echo \$? > /mnt/share/gemsoakd.status
${VM_AFTER:-}
$copy_back
$umount_disk
exit 0
JOB
	if [ "$disk" = 1 ]; then
		GS_VM_DISK=$out/disk.img vm_boot "$out" "${VM_LIMIT:-$((duration + 180))}"
		vm_disk_get "$out/disk.img" "${gdb#/var/lib/gemsoak/}" "$out/gs.db"
	else
		vm_boot "$out" "${VM_LIMIT:-$((duration + 180))}"
	fi
	echo "--- gemsoakd log (in the VM) ---"
	cat "$out/job.log"
	echo "--- leak_trends ---"
	sqlite3 -box "$out/gs.db" 'select * from leak_trends' 2>&1 || true
}

# vm_disk_get IMAGE NAME DEST: copy database NAME (and its -wal) out of the
# ext4 image of a VM_DISK run, without mounting it.
vm_disk_get() {
	rm -f "$3" "$3-wal"
	debugfs -R "dump /$2 $3" "$1" 2>/dev/null
	[ -s "$3" ] || fail "$1 holds no $2"
	if debugfs -R "stat /$2-wal" "$1" 2>/dev/null | grep -q '^Inode:'; then
		debugfs -R "dump /$2-wal $3-wal" "$1" 2>/dev/null
	fi
}
