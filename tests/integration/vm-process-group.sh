#!/bin/sh
# Each workload's processes are one process group, apart from the daemon's:
# its workers and the processes they fork (x-restart's server and client of
# each generation). Snapshots of /proc while the daemon runs check that;
# then the daemon is killed with SIGKILL and, a second later, no gemsoak
# process (workers are named gs:WORKLOAD, what they fork too) is left.
set -eu
. tests/lib.sh
out=build/tests/vm-process-group
rm -rf "$out"
mkdir -p "$out"
cat > "$out/test.conf" <<'EOF2'
[daemon]
interval = 1s

[workload x-restart]
processes = 4
rate = 20

[workload flink-share]
producers = 1
consumers = 1
EOF2
# snap FILE: "pid (comm) state ppid pgrp" of every process.
cat > "$out/job.sh" <<'JOB'
#!/bin/sh
snap() { cat /proc/[0-9]*/stat 2>/dev/null | cut -d' ' -f1-5 > "$1"; }
gemsoakd -c /mnt/share/test.conf --database /tmp/gs.db 2>/mnt/share/daemon.log &
d=$!
echo $d > /mnt/share/daemon.pid
sleep 6
# Ten snapshots, and up to five more that caught the short-lived
# processes an x-restart worker forks (one try in a few does).
i=0 caught=0
while [ $i -lt 300 ] && [ $caught -lt 5 ]; do
	snap /tmp/snap
	if awk -v d=$d '$2 == "(gs:x-restart)" && $4 != d' /tmp/snap | grep -q .; then
		caught=$((caught + 1))
		cp /tmp/snap /mnt/share/running.$i
	elif [ $i -lt 10 ]; then
		cp /tmp/snap /mnt/share/running.$i
	fi
	i=$((i + 1))
done
kill -KILL $d
wait $d 2>/dev/null
sleep 1
snap /mnt/share/after-kill
JOB
vm_boot "$out" 120
cat "$out/daemon.log"
d=$(cat "$out/daemon.pid")
# The daemon's own group, from any snapshot.
dgrp=$(awk -v d="$d" '$1 == d { print $5; exit }' "$out/running.0")
[ -n "$dgrp" ] || fail "the daemon was not running"
for f in "$out"/running.*; do
	# Per workload (comm): the groups its processes are in.
	# A task caught while it is reaped (state X) has no group any more
	# (the kernel shows -1): it is gone, not in another group.
	awk -v d="$d" -v dgrp="$dgrp" -v f="$f" '
	$2 ~ /^[(]gs:/ && $3 != "X" {
		n[$2]++
		if ($5 == dgrp) { print f ": " $0 " is in the daemon'"'"'s process group " dgrp; bad = 1 }
		if (grp[$2] == "") grp[$2] = $5
		else if (grp[$2] != $5) { print f ": " $2 " processes in groups " grp[$2] " and " $5; bad = 1 }
		if ($4 != d) forked[$2]++
	}
	END {
		if (n["(gs:x-restart)"] < 3 || n["(gs:flink-share)"] < 2) { print f ": workers missing"; bad = 1 }
		if (grp["(gs:x-restart)"] == grp["(gs:flink-share)"]) { print f ": two workloads share a group"; bad = 1 }
		printf "%d\n", forked["(gs:x-restart)"] > (f ".forked")
		exit bad
	}' "$f" || fail "process groups (above)"
done
# The grandchildren were there to check: x-restart forks one server and
# one client per client process each generation.
seen=$(cat "$out"/running.*.forked | awk '{ s += $1 } END { print s + 0 }')
echo "$seen forked x-restart processes seen in $(ls "$out"/running.*.forked | wc -l) snapshots"
[ "$seen" -gt 0 ] || fail "no process forked by an x-restart worker was seen"
# Zombies are dead already: they wait for the guest's init to reap them.
left=$(awk '$2 ~ /^[(]gs:/ && $3 != "Z"' "$out/after-kill")
[ -z "$left" ] || fail "processes outlived the daemon: $left"
echo "process groups: one per workload, apart from the daemon's; $seen forked x-restart processes seen; none left 1 s after SIGKILL"
echo ok
