#!/bin/sh
# Throughput against the raw-ioctl limit on the kernel model (tests/model)
# on the host: flink-share, prime-share and self-import (1 pair) each run
# right after the bare loop of its own sequence (bench/raw-flink -x,
# bench/raw-prime -m share|self), RUNS times for SECONDS each. Every ioctl
# is a round trip to the model server, so this is the limit of that
# model, as the VM rows are of the real kernel under emulation.
# Prints "model WORKLOAD RAW_RATE WORKER_RATE" per pair of runs.
# usage: bench/throughput-model.sh OUTDIR RUNS SECONDS
set -eu
. tests/lib.sh
. tests/model/lib.sh
out=$1 runs=$2 secs=$3
rm -rf "$out"
mkdir -p "$out"
rate_of() {
	sql "$1" "select (max(cycles) - min(cycles)) / (max(t) - min(t)) from ticks
		  where t > (select min(t) from ticks) + 3"
}
for w in flink-share prime-share self-import; do
	case $w in
	flink-share) raw="build/bench/raw-flink -x" body='producers = 1\nconsumers = 1' ;;
	prime-share) raw="build/bench/raw-prime -m share" body='processes = 1' ;;
	self-import) raw="build/bench/raw-prime -m self" body='processes = 1' ;;
	esac
	for i in $(seq "$runs"); do
		model_start "$out/m"
		r=$(model_env $raw -d "$mdir/card0" -s "$secs" | cut -d' ' -f2)
		printf "[daemon]\ndevice = %s\ndebugfs = %s\ninterval = 1s\n[workload %s]\n$body\n" \
			"$mdir/card0" "$mdir/debugfs" "$w" > "$out/tp.conf"
		model_env "$GEMSOAKD" -c "$out/tp.conf" --database "$out/$w-$i.db" --duration $((secs + 3)) \
			2> "$out/$w-$i.log"
		model_stop
		echo "model $w $r $(rate_of "$out/$w-$i.db")"
	done
done
