#!/bin/sh
# The daemon's own CPU per sample on this machine's real CPU (no
# emulation), against the kernel model (tests/model) holding 0, 1,000 and
# 10,000 flinked objects: the cost of parsing and storing a full sample.
# The kernel's cost of formatting its debugfs files is not in it (the
# model writes them in its own process); the VM rows of bench/run.sh have
# that, under emulation. Prints "obs-model N CPU_NS SAMPLES" per load: CPU
# time from /proc/PID/schedstat (nanoseconds; /proc/PID/stat counts 10 ms
# ticks, too coarse for a sample that costs a millisecond).
# usage: bench/observe-model.sh OUTDIR
set -eu
. tests/lib.sh
. tests/model/lib.sh
out=$1
rm -rf "$out"
mkdir -p "$out"
cpu() { cut -d' ' -f1 "/proc/$1/schedstat"; }
for n in 0 1000 10000; do
	model_start "$out/m$n"
	holder=
	if [ "$n" != 0 ]; then
		model_env build/bench/hold-objects -d "$mdir/card0" "$n" > "$out/hold-$n.log" &
		holder=$!
		i=0
		until grep -qs holding "$out/hold-$n.log"; do
			i=$((i + 1))
			[ $i -lt 600 ] || fail "hold-objects did not get to $n objects"
			sleep 0.1
		done
	fi
	printf '[daemon]\ndevice = %s\ndebugfs = %s\ninterval = 1s\n' "$mdir/card0" "$mdir/debugfs" > "$out/obs.conf"
	# Not through model_env: $! must be the daemon, not a subshell.
	GS_MODEL_SOCKET=$mdir/sock GS_MODEL_DEV=$mdir/card0 LD_PRELOAD=$MODEL_SHIM "$GEMSOAKD" -c "$out/obs.conf" --database "$out/obs-$n.db" --duration 25 2> "$out/daemon-$n.log" &
	d=$!
	sleep 4
	c0=$(cpu $d) k0=$(sqlite3 "$out/obs-$n.db" 'select count(*) from ticks')
	sleep 15
	c1=$(cpu $d) k1=$(sqlite3 "$out/obs-$n.db" 'select count(*) from ticks')
	wait $d
	echo "obs-model $n $((c1 - c0)) $((k1 - k0))"
	[ -z "$holder" ] || { kill "$holder"; wait "$holder" 2>/dev/null || true; }
	model_stop
done
