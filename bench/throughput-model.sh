#!/bin/sh
# Throughput against the raw-ioctl limit on the kernel model (tests/model)
# on the host: flink-share, prime-share and self-import (1 pair) each run
# next to the bare loop of its own sequence (bench/raw-flink -x,
# bench/raw-prime -m share|self), RUNS pairs of SECONDS each. Every ioctl
# is a round trip to the model server, so this is the limit of that
# model, as the VM rows are of the real kernel under emulation.
#
# The two sides of a pair see the same load: each pair has a fresh model,
# the raw loop runs while a gemsoakd samples that model every second as
# the worker's own daemon does (its workload paced to 1 cycle/s), and the
# order alternates (odd pairs raw first, even pairs worker first), so a
# load that rises or falls over a pair favours neither side. Each worker
# run has a database of its own: a run continued in an older database
# (same device and config) would count the pause between them.
# Everything runs on one CPU (GS_BENCH_CPU, default the last; empty for
# no pinning): spread over CPUs, a chain of round trips runs at whatever
# pace its placement next to other load gives it (single pairs swung 2x
# either way on a shared 2-CPU host); on one CPU both sides pay the same
# costs per round trip.
# Prints "model WORKLOAD RAW_RATE WORKER_RATE" per pair.
# usage: bench/throughput-model.sh OUTDIR RUNS SECONDS
set -eu
cpu=${GS_BENCH_CPU-$(($(nproc) - 1))}
if [ -n "$cpu" ] && [ -z "${GS_BENCH_PINNED:-}" ]; then
	GS_BENCH_PINNED=1 exec taskset -c "$cpu" "$0" "$@"
fi
. tests/lib.sh
. tests/model/lib.sh
out=$1 runs=$2 secs=$3
rm -rf "$out"
mkdir -p "$out"
rate_of() {
	sql "$1" "select (max(cycles) - min(cycles)) / (max(t) - min(t)) from ticks
		  where t > (select min(t) from ticks) + 3"
}
# conf FILE WORKLOAD BODY RATE: a 1 s sampling config for the running model.
conf() {
	printf "[daemon]\ndevice = %s\ndebugfs = %s\ninterval = 1s\n[workload %s]\n$3\nrate = %s\n" \
		"$mdir/card0" "$mdir/debugfs" "$2" "$4" > "$1"
}
# raw_run: the bare loop while a paced gemsoakd samples the model; its rate.
raw_run() {
	conf "$out/sampler.conf" "$w" "$body" 1
	rm -f "$out/sampler.db"*
	model_daemon "$out/sampler.log" -c "$out/sampler.conf" --database "$out/sampler.db" \
		--duration $((secs + 10))
	wait_line "$out/sampler.log" "ready:"
	# shellcheck disable=SC2086 # $raw is a command and its options
	r=$(model_env $raw -d "$mdir/card0" -s "$secs" | cut -d' ' -f2)
	stop_daemon
}
# worker_run: the workload under gemsoakd, unpaced, into $out/$w-$pair.db.
worker_run() {
	conf "$out/tp.conf" "$w" "$body" 0
	model_env "$GEMSOAKD" -c "$out/tp.conf" --database "$out/$w-$pair.db" --duration $((secs + 3)) \
		2> "$out/$w-$pair.log"
}
for w in flink-share prime-share self-import; do
	case $w in
	flink-share) raw="build/bench/raw-flink -x" body='producers = 1\nconsumers = 1' ;;
	prime-share) raw="build/bench/raw-prime -m share" body='processes = 1' ;;
	self-import) raw="build/bench/raw-prime -m self" body='processes = 1' ;;
	esac
	# not $i: tests/lib.sh's and tests/model/lib.sh's helpers count with it
	for pair in $(seq "$runs"); do
		model_start "$out/m"
		if [ $((pair % 2)) = 1 ]; then
			raw_run
			worker_run
		else
			worker_run
			raw_run
		fi
		model_stop
		echo "model $w $r $(rate_of "$out/$w-$pair.db")"
	done
done
