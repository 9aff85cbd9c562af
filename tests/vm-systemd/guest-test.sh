#!/bin/bash
# Runs inside the Debian VM (tests/integration/vm-systemd.sh) as a one-shot
# service at boot: drives gemsoak.service through systemctl and checks what
# systemd, the journal, the processes and the database say. One line per
# check on the second serial port ("ok - ..." / "not ok - ..."), then
# "DONE failures=N", then power off.
# shellcheck disable=SC2317 # the checks are functions run through check and wait_for
exec > /dev/ttyS1 2>&1
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
db=/var/lib/gemsoak/gemsoak.db
fails=0

ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: the command's status is the verdict.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
q() { sqlite3 -batch -noheader "$db" "$1"; }
# qw SQL: a write beside the daemon's, waiting for its lock.
qw() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$db" "$1"; }
# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}
prop() { systemctl show -p "$1" --value gemsoak; }
metric() { q "select cast(coalesce(max(s.value), 0) as integer) from samples s join metrics m on m.id = s.metric_id where m.name = '$1'"; }
gt() { [ "$1" -gt "$2" ] 2>/dev/null; }
ticks() { q 'select count(*) from ticks'; }
# cycles_of WORKLOAD: its cycles have been sampled above 0.
cycles_of() { gt "$(metric "workload.$1.cycles")" 0; }
contains() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
finish() {
	echo "--- journal of gemsoak.service ---"
	journalctl -u gemsoak --no-pager -o short-monotonic | tail -n 60
	echo "--- events ---"
	q "select run_id, severity, source, kind, message from events order by id" 2>&1 | tail -n 30
	echo "DONE failures=$fails"
	sync
	systemctl poweroff -f
	exit 0
}

echo "guest: $(uname -r), $(systemctl --version | head -n 1)"
modprobe vgem || bad "modprobe vgem"
wait_for 10 test -e /dev/dri/card0 || bad "no /dev/dri/card0 after modprobe vgem"

# The unit as installed on a real system.
out=$(systemd-analyze verify gemsoak.service 2>&1)
check "systemd-analyze verify is clean${out:+: $out}" test -z "$out"
exposure=$(systemd-analyze security gemsoak.service 2>/dev/null | sed -n 's/.*Overall exposure level for gemsoak.service: \([0-9.]*\).*/\1/p')
check "exposure '$exposure' is at most 3.5" awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 3.5) }'

# start: returns once the daemon said READY=1, which it does after the run
# is recorded, the workers started and the first sample stored.
t0=$SECONDS
if systemctl start gemsoak; then
	ok "systemctl start gemsoak succeeded"
else
	bad "systemctl start gemsoak failed"
	systemctl status gemsoak --no-pager
	finish
fi
echo "start took $((SECONDS - t0)) s"
check "active right after start" test "$(systemctl is-active gemsoak)" = active
check "the run and its first sample exist when start returns" test "$(q 'select count(*) from ticks')" -ge 1 2>/dev/null
# The first round loaded the origins source's BPF program under the unit's
# capabilities and system call filter (docs/ORIGINS.md).
check "origins traced under the unit (no source-unavailable)" \
	test "$(q "select count(*) from events where kind = 'source-unavailable' and message like 'origins%'")" = 0
pid=$(prop MainPID)
check "flink-share workers run" pgrep -x gs:flink-share
# The findings in STATUS (below): judge the GEM object counters after 40 s
# (4 windows of 10 s: the config's trend_window) instead of a minute, and
# every other kernel metric after an hour, longer than this test: what a
# freshly booted guest's memory does in its first minutes is not what the
# status is checked for.
qw "update trend_thresholds set min_span_s = 3600 where scope = 'kernel';
	insert or replace into trend_thresholds(pattern, assess, min_windows, min_span_s, min_per_kcycle,
		min_per_hour, min_r2, min_half_ratio, scope, bound_setting)
	select 'gem.*', assess, min_windows, 40, min_per_kcycle, min_per_hour, min_r2, min_half_ratio, scope, NULL
	from trend_thresholds where pattern = '*'"
check "the GEM counters judged after 40 s" test "$(q "select min_span_s from trend_thresholds where pattern = 'gem.*'")" = 40.0
more_ticks() { gt "$(ticks)" "$1"; }
wait_for 15 more_ticks 2 || bad "fewer than 3 samples after 15 s"
status=$(prop StatusText)
# shellcheck disable=SC2016 # eval expands it
check "STATUS with cycles/s and the verdict ($status)" eval 'contains "$status" "cycles/s" && contains "$status" "no anomalies"'
systemctl status gemsoak --no-pager > /tmp/status 2>&1
check "systemctl status: active (running)" grep -q "Active: active (running)" /tmp/status
check "systemctl status shows the STATUS text" grep -q 'Status: "run .* cycles/s' /tmp/status

# The database grows; sqlite3 reads it here while the daemon writes.
n1=$(q 'select count(*) from samples')
sleep 3
n2=$(q 'select count(*) from samples')
check "the database grows ($n1 -> $n2 samples)" gt "$n2" "$n1"
check "workload cycles are recorded" cycles_of flink-share
errors=$(q "select group_concat(name, ' ') from metrics where name like 'workload.%.errors.%'")
check "the workloads' ioctls succeed under the hardening${errors:+ (errors: $errors)}" test -z "$errors"
check "debugfs is readable under the hardening (drm.clients sampled)" gt "$(q "select count(*) from metrics where name = 'drm.clients'")" 0
check "dma_buf debugfs is readable too" gt "$(q "select count(*) from metrics where name like 'dmabuf.%'")" 0
check "journal has the ready message at notice priority" eval 'journalctl -u gemsoak -p notice --no-pager | grep -q "ready: database"'

# The Prometheus export as its timer runs it, into node_exporter's textfile
# directory (owned by node_exporter's user, as Debian's package makes it).
out=$(systemd-analyze verify gemsoak-export.service gemsoak-export.timer 2>&1)
check "systemd-analyze verify of the export unit and timer is clean${out:+: $out}" test -z "$out"
prom=/var/lib/prometheus/node-exporter
mkdir -p $prom
chown nobody:nogroup $prom
check "systemctl start gemsoak-export.service succeeded" systemctl start gemsoak-export.service
newest() { sed -n 's/^gemsoak_last_sample_timestamp_seconds{.*} //p' $prom/gemsoak.prom 2>/dev/null; }
t1=$(newest)
check "the export unit wrote gemsoak.prom with the newest sample ($t1)" test -n "$t1"
check "gemsoak.prom is readable by node_exporter (mode $(stat -c %a $prom/gemsoak.prom 2>&1))" \
	test "$(stat -c %a $prom/gemsoak.prom)" = 644
check "gemsoak.prom holds the verdict state set" grep -q '^gemsoak_verdict{.*verdict="stable"} [01]$' $prom/gemsoak.prom
systemctl start gemsoak-export.timer
rewritten() { [ -n "$(newest)" ] && [ "$(newest)" != "$t1" ]; }
check "the timer rewrites it with a newer sample" wait_for 90 rewritten
systemctl stop gemsoak-export.timer
journalctl -u gemsoak-export --no-pager | tail -n 5

# STATUS names the run's findings as of the last progress (every 5 s
# here). The negative control: flink-share alone leaks nothing on the
# stock kernel, so once the GEM counters are judged STATUS names no
# finding.
# verdict_of METRIC: its verdict in the newest run.
verdict_of() { q "select x.verdict from verdicts x join metrics m on m.id = x.metric_id where m.name = '$1' and x.run_id = (select max(id) from runs)"; }
# judged: gem.flink_names has a verdict (in $clean_verdict; verdicts of
# short windows come and go), and STATUS (in $status) is of a judgement
# as recent: it counts as many kernel metrics undecided as the stored
# verdicts do, and no longer counts down to the first verdicts.
judged() {
	local k
	clean_verdict=$(verdict_of gem.flink_names)
	[ -n "$clean_verdict" ] && [ "$clean_verdict" != insufficient-data ] || return 1
	k=$(q "select count(*) from verdicts where run_id = (select max(id) from runs) and scope = 'kernel' and verdict = 'insufficient-data'")
	status=$(prop StatusText)
	contains "$status" "; $k undecided" && ! contains "$status" "first verdicts in"
}
check "the GEM counters judged while flink-share runs alone" wait_for 150 judged
echo "clean: StatusText: $status; gem.flink_names $clean_verdict"
# shellcheck disable=SC2016 # eval expands it
check "STATUS names no finding and no leak while nothing leaks" eval 'contains "$status" "leaking: none so far"'
check "gem.flink_names judged stable then" test "$clean_verdict" = stable
echo "clean: GEM verdicts that turned leaking so far: $(q "select count(*) from verdict_history h join metrics m on m.id = h.metric_id where m.name glob 'gem.*' and h.new_verdict = 'leaking'")"

# reload: a new drop-in starts one workload, the unchanged one keeps its
# processes, the run and the main process stay. systemctl reload returns
# once the SIGHUP is sent (ExecReload), not once the daemon has answered
# it with READY=1, so the checks wait for the answer.
is_active() { test "$(systemctl is-active gemsoak)" = active; }
# last_reload TEXT: the newest config-reloaded event says TEXT.
last_reload() { q "select message from events where kind = 'config-reloaded' order by id desc limit 1" | grep -q "$1"; }
runs=$(q 'select count(*) from runs')
workers=$(pgrep -x gs:flink-share | sort | tr '\n' ' ')
printf '[workload canary]\nleak_every = 5\nrate = 100\n' > /etc/gemsoak/conf.d/20-canary.conf
systemctl reload gemsoak
check "systemctl reload succeeded" test $? = 0
check "active after reload" wait_for 30 is_active
check "same main process after reload" test "$(prop MainPID)" = "$pid"
check "same run after reload" test "$(q 'select count(*) from runs')" = "$runs"
check "config-reloaded event: 1 kept, 1 started" wait_for 30 last_reload '1 kept, 0 restarted, 1 started, 0 stopped'
check "the kept workload's processes were not restarted" test "$(pgrep -x gs:flink-share | sort | tr '\n' ' ')" = "$workers"
check "the new workload runs" pgrep -x gs:canary
check "the new workload's cycles are sampled" wait_for 15 cycles_of canary
# The positive case: the canary keeps one flink name per 5 of its cycles
# (under TCG it gets 10 or so a second), held by its process; STATUS
# names its finding.
canary_named() { status=$(prop StatusText); contains "$status" "findings: canary"; }
t0=$SECONDS
check "STATUS names the canary's finding" wait_for 240 canary_named
echo "leak: after $((SECONDS - t0)) s: StatusText: $status; gem.flink_names $(verdict_of gem.flink_names)"
check "no worker-hang: the new workload makes progress" test "$(q "select count(*) from events where kind = 'worker-hang'")" = 0

# A change restarts only that workload.
printf '[workload canary]\nleak_every = 6\nrate = 100\n' > /etc/gemsoak/conf.d/20-canary.conf
systemctl reload gemsoak
check "changed workload restarted, the other kept" wait_for 30 last_reload '1 kept, 1 restarted, 0 started, 0 stopped'
check "flink-share still untouched" test "$(pgrep -x gs:flink-share | sort | tr '\n' ' ')" = "$workers"

# A broken drop-in is refused and changes nothing.
printf '[workload broken]\ntype = canary\nleak_every = lots\n' > /etc/gemsoak/conf.d/30-broken.conf
systemctl reload gemsoak
refused() { q "select message from events where kind = 'config-reload-failed'" | grep -q '30-broken.conf:3: leak_every'; }
check "config-reload-failed names FILE:LINE" wait_for 30 refused
check "active after a refused reload" wait_for 30 is_active
check "same main process after a refused reload" test "$(prop MainPID)" = "$pid"
check "the refusal is in the journal at err priority" eval 'journalctl -u gemsoak -p err --no-pager | grep -q "30-broken.conf:3"'
check "no broken workload started" eval '! pgrep -x gs:broken'
rm -f /etc/gemsoak/conf.d/30-broken.conf

# The watchdog: a daemon whose loop is stopped is killed and restarted.
mkdir -p /run/systemd/system/gemsoak.service.d
printf '[Service]\nWatchdogSec=6s\nRestartSec=1s\n' > /run/systemd/system/gemsoak.service.d/watchdog.conf
systemctl daemon-reload
systemctl restart gemsoak
pid=$(prop MainPID)
restarts=$(prop NRestarts)
[ "$pid" != 0 ] || { bad "no main process after restart"; finish; }
kill -STOP "$pid"
t0=$SECONDS
newpid() { p=$(prop MainPID); [ "$p" != 0 ] && [ "$p" != "$pid" ] && [ "$(systemctl is-active gemsoak)" = active ]; }
check "the stopped daemon was replaced by the watchdog" wait_for 60 newpid
echo "watchdog restart after $((SECONDS - t0)) s"
check "NRestarts went up" gt "$(prop NRestarts)" "$restarts"
check "the journal says watchdog timeout" eval 'journalctl -u gemsoak --no-pager | grep -qi "watchdog timeout"'
check "the restarted daemon samples again" wait_for 20 more_ticks "$(ticks)"

# stop: nothing left running, the database consistent and the run closed.
systemctl stop gemsoak
check "systemctl stop succeeded" test $? = 0
check "inactive after stop" test "$(systemctl is-active gemsoak)" = inactive
check "no worker process left" eval '! pgrep "^gs:"'
check "no daemon process left" eval '! pgrep -x gemsoakd'
check "database integrity ok" test "$(q 'pragma integrity_check')" = ok
check "the last run is closed" test "$(q 'select stopped is not null from runs order by id desc limit 1')" = 1
check "run-stop event recorded" test "$(q "select count(*) from events where kind = 'run-stop'")" -ge 1
finish
