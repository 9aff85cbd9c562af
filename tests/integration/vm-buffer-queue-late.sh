#!/bin/sh
# Real kernel, buffer-queue: timing is no kernel promise. Two runs of 25 s
# in one boot:
#   starved:     the app (the producer) is stopped (SIGSTOP) for 1.5 s
#                while the compositor waits for the acquire fence it has
#                not signalled yet (the compositor in poll() with the
#                fence_timeout of 1000 ms, read from /proc/PID/syscall),
#                as a producer starved of CPU on a busy machine is. Each
#                such fence signals late: it must be recorded as late
#                (workload.bq.late.fence_signals, late.fence_max_ms,
#                "late" events), and no promise may be broken;
#   unsignalled: the negative control, the app never signals one fence
#                every 10 cycles: each is a broken promise ("never
#                signalled"), and `gemsoak anomalies` fails.
set -eu
. tests/lib.sh
GEMSOAK=$TOP/build/gemsoak
out=build/tests/vm-buffer-queue-late
rm -rf "$out"
mkdir -p "$out"
# The apps and the compositor live for the whole run: one process each.
head='[daemon]\ninterval = 1s\n\n[workload bq]\ntype = buffer-queue\nproducer_lifetime = 0\nconsumer_lifetime = 0\n'
{ printf '%b' "$head"; printf '%s\n' "fence_timeout = 1000ms"; } > "$out/starved.conf"
{ printf '%b' "$head"; printf '%s\n' "unsignalled_every = 10" "fence_timeout = 100ms" "rate = 100"; } > "$out/unsignalled.conf"
cat > "$out/job.sh" <<'JOB'
#!/bin/sh
# children PID: the processes whose parent is PID, in pid order
children() {
	for s in /proc/[0-9]*/stat; do
		read -r pid comm state ppid rest < "$s" 2>/dev/null || continue
		[ "$ppid" = "$1" ] && echo "$pid"
	done | sort -n
}
# nth N PIDS...: the Nth of the pids
nth() { n=$1; shift; eval echo \${$n:-}; }
starve() { # DAEMON: stop the app while the compositor waits for its fence, 4 times
	while [ "$(children "$1" | wc -l)" -lt 3 ]; do sleep 1; done
	workers=$(children "$1")
	app=$(children "$(nth 2 $workers)")
	comp=$(children "$(nth 3 $workers)")
	hits=0 tries=0
	while [ "$hits" -lt 4 ] && [ "$tries" -lt 20000 ] && kill -0 "$app" 2>/dev/null; do
		tries=$((tries + 1))
		kill -STOP "$app"
		# poll(fds, 1, 1000): the compositor waits for an acquire fence
		# that the stopped app has not signalled.
		read -r nr a0 a1 a2 rest < "/proc/$comp/syscall" || nr=
		if [ "$nr" = 7 ] && [ "$a2" = 0x3e8 ]; then
			hits=$((hits + 1))
			sleep 1.5
		fi
		kill -CONT "$app"
	done
	echo "starved: the app stopped $hits times while the compositor waited ($tries tries)"
	echo "$hits" > /mnt/share/starved.hits
}
for run in starved unsignalled; do
	# 45 s: the four stops take 10 to 25 s on a busy host, and the last
	# late fence must still be signalled and sampled before the run ends
	gemsoakd -c /mnt/share/$run.conf --database /tmp/$run.db --duration 45 &
	daemon=$!
	[ $run = starved ] && starve $daemon
	wait $daemon
	echo $? > /mnt/share/$run.status
	cp /tmp/$run.db /mnt/share/$run.db
done
exit 0
JOB
vm_boot "$out" 300
echo "--- gemsoakd logs (in the VM) ---"
cat "$out/job.log"

for run in starved unsignalled; do
	[ "$(cat "$out/$run.status")" = 0 ] || fail "$run: gemsoakd exited with $(cat "$out/$run.status")"
done
gauge() { # DB NAME: the most gauge NAME of the workload reached (both only grow)
	sql "$1" "select cast(coalesce(max(s.value), 0) as integer) from samples s join metrics m on m.id = s.metric_id
		where m.name = 'workload.bq.$2'"
}

db=$out/starved.db
hits=$(cat "$out/starved.hits")
late=$(gauge "$db" late.fence_signals)
max=$(gauge "$db" late.fence_max_ms)
broken=$(sql "$db" "select count(*) from anomalies")
echo "starved: $hits stops while the compositor waited: $late late fences (longest wait $max ms), $broken anomalies"
sql "$db" "select kind, message from events where source = 'workload bq' limit 12"
[ "$hits" -ge 4 ] || fail "starved: the app was stopped $hits times while the compositor waited, expected 4"
[ "$broken" = 0 ] || fail "starved: $broken anomalies: a late fence was taken for a broken promise"
[ "$late" -ge "$hits" ] || fail "starved: $late late fences recorded, expected >= $hits"
[ "$max" -ge 1000 ] || fail "starved: the longest late wait is $max ms, not past the 1000 ms bound"
assert_true "$db" "select count(*) >= $hits from events where kind = 'late'
	and message like '%frame %: the acquire fence of slot % signalled % ms after it came (expected within 1000 ms): its producer''s signal call returned % ms after it came'" \
	"starved: each late fence recorded as a late event with its wait"
run_rc "$GEMSOAK" anomalies -D "$db" > /dev/null
[ "$rc" = 0 ] || fail "starved: gemsoak anomalies exit $rc, expected 0"

db=$out/unsignalled.db
never=$(sql "$db" "select count(*) from anomalies
	where message like '%fence_signals violated: frame %: the acquire fence of slot % was never signalled: its producer went on%'")
other=$(sql "$db" "select count(*) from anomalies where message not like '%was never signalled%'")
echo "unsignalled: $never fences never signalled reported as broken promises, $other other anomalies, $(gauge "$db" late.fence_signals) late fences"
[ "$never" -ge 10 ] || fail "unsignalled: $never never-signalled fences reported, expected >= 10"
[ "$other" = 0 ] || fail "unsignalled: $other other anomalies"
run_rc "$GEMSOAK" anomalies -D "$db" > /dev/null
[ "$rc" = 1 ] || fail "unsignalled: gemsoak anomalies exit $rc, expected 1"
echo ok
