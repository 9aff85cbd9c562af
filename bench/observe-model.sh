#!/bin/sh
# The daemon's own CPU per sample on this machine's real CPU (no
# emulation), against the kernel model (tests/model) holding 0, 1,000 and
# 10,000 flinked objects: the cost of parsing and storing a full sample;
# and with 1,000 other processes holding 50 idle fds each (bench/hold-fds),
# the cost of the walk over /proc (load "1000x50").
# The kernel's cost of formatting its debugfs files is not in it (the
# model writes them in its own process); the VM rows of bench/run.sh have
# that, under emulation. Prints "obs-model LOAD CPU_NS SAMPLES" per load: CPU
# time from /proc/PID/schedstat (nanoseconds; /proc/PID/stat counts 10 ms
# ticks, too coarse for a sample that costs a millisecond).
# Every process it starts (hold-objects, the daemon, the model) ends with
# it, on failure and on SIGINT/SIGTERM too; it fails if one is left.
# usage: bench/observe-model.sh OUTDIR
# Knobs: OBS_LOADS (object counts, or PROCESSESxFDS; default "0 1000 10000 1000x50"),
# OBS_WARM and OBS_SECONDS (seconds before and of the measure, 4 and 15).
set -eu
. tests/lib.sh
. tests/model/lib.sh
out=$1
loads=${OBS_LOADS:-0 1000 10000 1000x50}
warm=${OBS_WARM:-4}
secs=${OBS_SECONDS:-15}
rm -rf "$out"
mkdir -p "$out"
holder="" d=""
cleanup() {
	for p in $holder $d; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	holder="" d=""
	model_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cpu() { cut -d' ' -f1 "/proc/$1/schedstat"; }
for n in $loads; do
	model_start "$out/m$n"
	case $n in
	0) ;;
	*x*)
		# hold-fds's children die with it
		build/bench/hold-fds "${n%x*}" "${n#*x}" > "$out/hold-$n.log" &
		holder=$!
		wait_line "$out/hold-$n.log" holding 120
		;;
	*)
		# env execs hold-objects, so $! is hold-objects itself (a shell
		# function in the background is a subshell: killing it left
		# hold-objects running)
		env GS_MODEL_SOCKET="$mdir/sock" GS_MODEL_DEV="$mdir/card0" LD_PRELOAD="$MODEL_SHIM" \
			build/bench/hold-objects -d "$mdir/card0" "$n" > "$out/hold-$n.log" &
		holder=$!
		wait_line "$out/hold-$n.log" holding 60
		;;
	esac
	printf '[daemon]\ndevice = %s\ndebugfs = %s\ninterval = 1s\n' "$mdir/card0" "$mdir/debugfs" > "$out/obs.conf"
	# Not through model_env: $! must be the daemon, not a subshell.
	GS_MODEL_SOCKET=$mdir/sock GS_MODEL_DEV=$mdir/card0 LD_PRELOAD=$MODEL_SHIM "$GEMSOAKD" -c "$out/obs.conf" \
		--database "$out/obs-$n.db" --duration $((warm + secs + 6)) 2> "$out/daemon-$n.log" &
	d=$!
	sleep "$warm"
	c0=$(cpu $d) k0=$(sqlite3 "$out/obs-$n.db" 'select count(*) from ticks')
	sleep "$secs"
	c1=$(cpu $d) k1=$(sqlite3 "$out/obs-$n.db" 'select count(*) from ticks')
	wait $d
	d=
	echo "obs-model $n $((c1 - c0)) $((k1 - k0))"
	cleanup
done
# Nothing of this run is left: each process it started has $out in its
# command line.
left=$(pgrep -f -- "$out/" || true)
[ -z "$left" ] || fail "processes left running: $(ps -o pid=,args= -p "$(echo "$left" | paste -sd, -)")"
