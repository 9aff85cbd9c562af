#!/bin/sh
# Where the daemon's heap goes over a run: gemsoakd under valgrind's massif
# against the kernel model (tests/model) with flink-share and prime-share,
# one round per second, for MINUTES (default 8). Prints, for snapshots
# spread over the run, the heap in use in total, inside SQLite (its page
# cache grows to the store's cache_size bound) and outside it, which must
# not change once the daemon runs.
# usage: bench/heap-model.sh OUTDIR [MINUTES]
set -eu
. tests/lib.sh
. tests/model/lib.sh
out=$1 minutes=${2:-8}
rm -rf "$out"
mkdir -p "$out"
model_start "$out/m"
cat > "$out/heap.conf" <<CONF
[daemon]
device = $mdir/card0
debugfs = $mdir/debugfs
interval = 1s
[workload flink-share]
producers = 2
consumers = 2
rate = 100
[workload prime-share]
rate = 100
CONF
model_env valgrind --tool=massif --detailed-freq=1 --max-snapshots=100 --massif-out-file="$out/massif.out" \
	"$GEMSOAKD" -c "$out/heap.conf" --database "$out/gs.db" --duration "${minutes}m" 2> "$out/daemon.log" ||
	{ model_stop; cat "$out/daemon.log"; fail "gemsoakd under massif failed"; }
model_stop
# massif's tree: "snapshot=N", "mem_heap_B=BYTES", then the allocation
# sites; the root's children (one leading space) split the heap by site.
awk '
	/^snapshot=/ { split($0, a, "="); s = a[2]; n++ }
	/^mem_heap_B=/ { split($0, a, "="); total[s] = a[2] }
	/^ n[0-9]+: / && /libsqlite3/ { sqlite[s] += $2 }
	/^heap_tree=detailed/ { detailed[s] = 1 }
	END {
		printf "%-9s %12s %12s %14s\n", "snapshot", "heap (B)", "SQLite (B)", "outside (B)"
		for (i = 0; i < n; i++)
			if (detailed[i] && (i % 10 == 0 || i == n - 1))
				printf "%-9d %12d %12d %14d\n", i, total[i], sqlite[i], total[i] - sqlite[i]
	}' "$out/massif.out"
