#!/bin/sh
# make bench: one VM boot measures, on the real kernel, flink-share's
# throughput against the raw-ioctl limit (bench/raw-flink) with 1, 2, 4
# and 8 consumer processes, prime-share's and self-import's (1, 2, 4 and 8
# pairs) against bench/raw-prime repeating each one's own sequence for one
# pair (-m share, -m self), and for 1 pair without the origins' BPF
# tracing too (origins_objects = 0), the daemon's CPU per sample with 0, 1,000
# and 10,000 live objects (bench/hold-objects), and its RSS and fd count
# over a soak of BENCH_SOAK_MIN minutes; then, on the host, the daemon's
# CPU per sample and the throughput ratios against the kernel model
# (bench/observe-model.sh, bench/throughput-model.sh) and the store
# benchmark. Prints the table and writes it to docs/PERFORMANCE.md.
# Knobs: BENCH_RUNS (repeats of each 1-process figure, default 3),
# BENCH_SECONDS (per throughput run, default 10), BENCH_SOAK_MIN (30),
# BENCH_DAYS (generated run for the store, default 30).
set -eu
. tests/lib.sh
runs=${BENCH_RUNS:-3}
secs=${BENCH_SECONDS:-10}
soak_min=${BENCH_SOAK_MIN:-30}
days=${BENCH_DAYS:-30}
out=build/bench/vm
rm -rf "$out"
mkdir -p "$out"
cp build/bench/raw-flink build/bench/raw-prime build/bench/hold-objects "$out/"

# --- the guest's job (busybox sh) -------------------------------------
cat > "$out/job.sh" <<JOB
#!/bin/sh
cd /mnt/share
conf() { # producers consumers interval
	printf '[daemon]\ninterval = %s\n' "\$3"
	[ "\$1" = 0 ] || printf '[workload flink-share]\nproducers = %s\nconsumers = %s\n' "\$1" "\$2"
}
# CPU time in ns (/proc/PID/stat's 10 ms ticks are too coarse).
cpu() { cut -d' ' -f1 /proc/\$1/schedstat; }
ticks() { sqlite3 \$1 'select count(*) from ticks'; }
wconf() { # type processes [daemon keys]
	printf '[daemon]\ninterval = 1s\n%s\n[workload %s]\nprocesses = %s\n' "\$3" "\$1" "\$2"
}
# Warm-up, then the 1-process references.
./raw-flink -s 2 > /dev/null
for i in \$(seq $runs); do
	./raw-flink -s $secs >> raw.txt
	./raw-prime -s $secs >> raw.txt
done
# gemsoak's workers: one producer, 1..8 consumers; each 1-consumer run
# right after the raw loop across two processes, under the same host load.
for c in 1 2 4 8; do
	n=1; [ \$c = 1 ] && n=$runs
	for i in \$(seq \$n); do
		[ \$c = 1 ] && ./raw-flink -x -s $secs >> raw.txt
		conf 1 \$c 1s > tp.conf
		gemsoakd -c tp.conf --database /tmp/tp-\$c-\$i.db --duration \$(( $secs + 3 ))
		cp /tmp/tp-\$c-\$i.db tp-\$c-\$i.db
	done
done
# prime-share and self-import: 1..8 processes (pairs); each 1-pair run
# right after the raw loop of its own sequence.
for w in prime-share self-import; do
	m=share; [ \$w = self-import ] && m=self
	for c in 1 2 4 8; do
		n=1; [ \$c = 1 ] && n=$runs
		for i in \$(seq \$n); do
			[ \$c = 1 ] && ./raw-prime -m \$m -s $secs >> raw.txt
			wconf \$w \$c > tp.conf
			gemsoakd -c tp.conf --database /tmp/\$w-\$c-\$i.db --duration \$(( $secs + 3 ))
			cp /tmp/\$w-\$c-\$i.db \$w-\$c-\$i.db
			# The same without the origins' BPF tracing (on by default).
			[ \$c = 1 ] || continue
			wconf \$w 1 'origins_objects = 0' > tp.conf
			gemsoakd -c tp.conf --database /tmp/\$w-off-\$i.db --duration \$(( $secs + 3 ))
			cp /tmp/\$w-off-\$i.db \$w-off-\$i.db
		done
	done
done
# Observation cost: the daemon alone, sampling every second.
for n in 0 1000 10000; do
	[ \$n = 0 ] || { ./hold-objects \$n & holder=\$!; sleep 2; }
	conf 0 0 1s > obs.conf
	gemsoakd -c obs.conf --database /tmp/obs-\$n.db --duration 25 & d=\$!
	sleep 4; c0=\$(cpu \$d); k0=\$(ticks /tmp/obs-\$n.db)
	sleep 15; c1=\$(cpu \$d); k1=\$(ticks /tmp/obs-\$n.db)
	echo "obs \$n \$((c1 - c0)) \$((k1 - k0))" >> obs.txt
	wait \$d
	[ \$n = 0 ] || { kill \$holder; wait \$holder; }
done
# Footprint over a soak with the demo's workload, one round per second.
conf 2 4 1s > soak.conf
gemsoakd -c soak.conf --database /tmp/soak.db --duration $((soak_min * 60))
cp /tmp/soak.db soak.db
uname -r > kernel.txt
exit 0
JOB
echo "bench: booting the VM (about $((soak_min + 6)) minutes)"
vm_boot "$out" $((soak_min * 60 + 1200))
# The same observation cost on the host's own CPU, against the kernel model.
bench/observe-model.sh build/bench/model-obs > build/bench/model-obs.txt
# Throughput ratios on the kernel model too.
bench/throughput-model.sh build/bench/model-tp "$runs" "$secs" > build/bench/model-tp.txt

median() { sort -n | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; printf "%.0f (%.0f..%.0f, n=%d)", m, v[1], v[NR], NR }'; }
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Cycles per second from a run's ticks, skipping the first 3 s (start-up).
rate_of() {
	sql "$1" "select (max(cycles) - min(cycles)) / (max(t) - min(t)) from ticks
		  where t > (select min(t) from ticks) + 3"
}
# Ratio of each 1-pair (1-consumer) run to the raw run just before it,
# which saw the same host load: one per run, then their median and range.
pair_ratios() { # DB_PREFIX RAW_KEY
	i=0
	grep "^$2 " "$out/raw.txt" | cut -d' ' -f2 | while read -r raw; do
		i=$((i + 1))
		awk "BEGIN { printf \"%.3f\\n\", $(rate_of "$1-$i.db" < /dev/null) / $raw }"
	done
}
ratio_median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f (%.2f..%.2f, n=%d)", v[int((NR + 1) / 2)], v[1], v[NR], NR }'; }

raw1=$(grep raw-flink-1proc "$out/raw.txt" | cut -d' ' -f2 | med)
table=$(mktemp)
{
	echo "| figure | value | goal |"
	echo "|---|---|---|"
	echo "| raw ioctl loop, 1 process (cycles/s) | $(grep raw-flink-1proc "$out/raw.txt" | cut -d' ' -f2 | median) | |"
	echo "| raw ioctl loop, 2 processes + socket round trip (cycles/s) | $(grep raw-flink-2proc "$out/raw.txt" | cut -d' ' -f2 | median) | |"
	for c in 1 2 4 8; do
		rates=$(for f in "$out/tp-$c"-*.db; do rate_of "$f"; done)
		r=$(echo "$rates" | med)
		echo "| flink-share, 1 producer + $c consumer(s) (cycles/s) | $(echo "$rates" | median) | |"
		[ $c = 1 ] && {
			echo "| ratio to the 2-process raw loop | $(pair_ratios "$out/tp-1" raw-flink-2proc | ratio_median) | >= 0.95 |"
			echo "| ratio to the 1-process raw loop | $(awk "BEGIN { printf \"%.2f\", $r / $raw1 }") | |"
		}
	done
	echo "| raw PRIME export/import loop, 1 process, reference (cycles/s) | $(grep raw-prime-1proc "$out/raw.txt" | cut -d' ' -f2 | median) | |"
	for w in prime-share self-import; do
		m=share; [ $w = self-import ] && m=self
		echo "| raw $w sequence, 1 pair (raw-prime -m $m, cycles/s) | $(grep "raw-prime-$m " "$out/raw.txt" | cut -d' ' -f2 | median) | |"
		for c in 1 2 4 8; do
			rates=$(for f in "$out/$w-$c"-*.db; do rate_of "$f"; done)
			echo "| $w, $c pair(s) (cycles/s) | $(echo "$rates" | median) | |"
			[ $c = 1 ] && {
				echo "| $w ratio to its raw loop (origins traced, the default) | $(pair_ratios "$out/$w-1" raw-prime-$m | ratio_median) | >= 0.95 |"
				echo "| $w ratio to its raw loop, origins_objects = 0 (no BPF tracing) | $(pair_ratios "$out/$w-off" raw-prime-$m | ratio_median) | |"
			}
		done
	done
	for w in flink-share prime-share self-import; do
		echo "| $w ratio to its raw loop, kernel model on the host | $(awk -v w=$w '$2 == w { printf "%.3f\n", $4 / $3 }' build/bench/model-tp.txt | ratio_median) | >= 0.95 |"
	done
	while read -r _ n ns samples; do
		echo "| daemon CPU per sample, $n live objects, VM (ms) | $(awk "BEGIN { printf \"%.2f\", $ns / 1e6 / $samples }") | |"
	done < "$out/obs.txt"
	while read -r _ n ns samples; do
		case $n in
		*x*) load="${n%x*} other processes x ${n#*x} idle fds" ;;
		*) load="$n live objects" ;;
		esac
		echo "| daemon CPU per sample, $load, host CPU against the model (ms) | $(awk "BEGIN { printf \"%.2f\", $ns / 1e6 / $samples }") | <= 10 (1 % of a core at 1/s) |"
	done < build/bench/model-obs.txt
	s=$out/soak.db
	# Least-squares slope per hour over the second half of the soak (the
	# first has the start-up growth) of EXPR over the daemon's own metrics
	# per round: rss, heap, sqlite (SQLite's memory: mostly its page cache,
	# bounded by the store's cache_size) and fds.
	late_slope() {
		sql "$s" "with p as (select k.t / 3600.0 as x,
			  max(case m.name when 'daemon.rss_kb' then s.value end) as rss,
			  max(case m.name when 'daemon.heap_kb' then s.value end) as heap,
			  max(case m.name when 'daemon.sqlite_kb' then s.value end) as sqlite,
			  max(case m.name when 'daemon.fds' then s.value end) as fds
			  from samples s join metrics m on m.id = s.metric_id join ticks k on k.id = s.tick_id
			  where m.name like 'daemon.%' and k.t >= (select (min(t) + max(t)) / 2 from ticks)
			  group by k.id),
			  v as (select x, $1 as y from p where $1 is not null),
			  a as (select avg(x) as mx, avg(y) as my from v)
			  select printf('%.1f', coalesce(sum((x - mx) * (y - my)) / nullif(sum((x - mx) * (x - mx)), 0), 0))
			  from v, a"
	}
	metric() { sql "$s" "select $1 from samples v join metrics m on m.id = v.metric_id join ticks k on k.id = v.tick_id where m.name = '$2'"; }
	echo "| daemon RSS over a $soak_min min soak, max (kB) | $(metric 'max(value)' daemon.rss_kb) | < 8192 |"
	echo "| daemon RSS slope over the whole soak (kB/hour) | $(sql "$s" "select printf('%.1f', slope_per_hour) from leak_trends where metric = 'daemon.rss_kb'") | |"
	echo "| daemon RSS slope, second half of the soak (kB/hour) | $(late_slope rss) | |"
	echo "| SQLite's memory, max (kB; its page cache is bounded at 1024) | $(metric 'max(value)' daemon.sqlite_kb) | bounded |"
	echo "| SQLite's memory slope, second half (kB/hour) | $(late_slope sqlite) | |"
	echo "| daemon heap outside SQLite, slope, second half (kB/hour) | $(late_slope 'heap - sqlite') | 0 within noise |"
	echo "| daemon fd slope, second half (per hour) | $(late_slope fds) | 0 |"
	echo "| daemon fds, min..max | $(metric 'min(value)' daemon.fds)..$(metric 'max(value)' daemon.fds) | flat |"
	echo "| workload cycles in the soak | $(sql "$s" "select max(cycles) from ticks") | |"
	build/bench/store-bench -d "$days" -o build/bench > build/bench/store.txt
	v() { awk -v k="$1" '$1 == k { print $2 }' build/bench/store.txt; }
	echo "| store ingest, gemsoak schema (samples/s) | $(v gemsoak_ingest_samples_per_s) | |"
	echo "| store ingest, naive baseline (samples/s) | $(v naive_ingest_samples_per_s) | |"
	echo "| database for $days days x 50 metrics at 10 s, gemsoak (MB) | $(awk "BEGIN { printf \"%.0f\", $(v gemsoak_db_bytes) / 1048576 }") | < 300 |"
	echo "| same, naive baseline (MB) | $(awk "BEGIN { printf \"%.0f\", $(v naive_db_bytes) / 1048576 }") | |"
	echo "| bytes per sample, gemsoak / naive | $(v gemsoak_bytes_per_sample) / $(v naive_bytes_per_sample) | |"
	echo "| select * from leak_trends, median of 5 (ms) | $(v gemsoak_leak_trends_ms) | <= 50 |"
	echo "| same, CPU time (ms) | $(v gemsoak_leak_trends_cpu_ms) | |"
	echo "| naive trend query (ms) | $(v naive_trends_ms) | |"
} > "$table"

{
	echo "# gemsoak performance"
	echo
	echo "Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d)."
	echo "Host: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);"
	echo "guest kernel $(cat "$out/kernel.txt") (vgem) under qemu TCG with 2 vCPUs, so absolute"
	echo "rates are those of software emulation; the ratios are the figures that carry over."
	echo "The VM's CPU per sample includes the guest kernel formatting its debugfs files"
	echo "under emulation; the host rows measure the daemon's own parsing and storing on"
	echo "the host CPU, with the kernel model (tests/model) holding the objects."
	echo "Medians of $runs runs with (min..max) where a figure was repeated; $secs s per throughput run."
	echo
	cat "$table"
	# make bench runs these two first; bench/run.sh alone skips them.
	if [ -s build/bench/detector.txt ] && [ -s build/bench/size-speed.txt ]; then
		echo
		echo "## Detector evaluation and the month-long store (bench/detector-eval.sh, bench/size-speed.sh)"
		echo
		echo '```'
		cat build/bench/detector.txt build/bench/size-speed.txt
		echo '```'
	fi
	if [ -s build/bench/engine.txt ]; then
		echo
		echo "## The engine's cost (bench/engine.sh, bench/engine-bench.c)"
		echo
		cat build/bench/engine.txt
	fi
} > docs/PERFORMANCE.md
cat "$table"
rm -f "$table"
