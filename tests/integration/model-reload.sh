#!/bin/sh
# gemsoakd against the kernel model, reloaded as a hostile operator would.
# Quick pairs of reloads, each restarting a workload its predecessor had
# just started: the new workers get SIGTERM while they start, and the
# daemon must not take it for its own (it runs on, exit 0 at its
# --duration, no "received TERM"). A changed string key (x-restart's
# command) restarts its workload at once, and the run's recorded config
# follows the reload, the earlier one kept in run_configs. A reload of
# the leak guard's keys says it needs a restart; one to a device that is
# not there is refused; a workload that could not start because fds ran
# out is tried again with backoff and starts once they are back, and the
# summary counts it as failed.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-reload
rm -rf "$out"
mkdir -p "$out"
daemon=
trap 'kill "$daemon" 2>/dev/null || true; model_stop' EXIT
model_start "$out"

# storm_conf RATE: eight workers of one workload, at RATE cycles/s.
storm_conf() {
	printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\n\n' "$out" "$out"
	printf '[workload storm]\ntype = flink-share\nproducers = 4\nconsumers = 4\nrate = %s\n' "$1"
}
# reloads: how many reloads the daemon has begun.
reloads() {
	grep -c 'received SIGHUP' "$out/daemon.log" || true
}
# reload_to RATE: change the config and send SIGHUP; return once the
# daemon has begun that reload (it read the file), not when it ended.
reload_to() {
	storm_conf "$1" > "$out/test.conf"
	before=$(reloads)
	kill -HUP "$daemon" 2>/dev/null || return 0
	give_up=$(($(date +%s) + 30))
	until [ "$(reloads)" -gt "$before" ]; do
		kill -0 "$daemon" 2>/dev/null || return 0
		[ "$(date +%s)" -lt $give_up ] || fail "reload $((before + 1)) did not begin within 30 s"
	done
}

storm_conf 100 > "$out/test.conf"
model_daemon "$out/daemon.log" -v -c "$out/test.conf" --database "$out/gs.db" --duration 600s
wait_line "$out/daemon.log" 'ready:'
pairs=0
while [ $pairs -lt 60 ] && kill -0 "$daemon" 2>/dev/null; do
	reload_to 101
	reload_to 100
	pairs=$((pairs + 1))
done
alive=no
kill -0 "$daemon" 2>/dev/null && alive=yes
kill -TERM "$daemon" 2>/dev/null || true
set +e
wait "$daemon"
rc=$?
set -e
daemon=
restarted=$(sql "$out/gs.db" "select count(*) from events where kind = 'config-reloaded' and message like '%storm restarted%'")
echo "reload storm: $pairs pair(s) of quick reloads, $restarted restart(s) of the workload; daemon alive after them: $alive"
[ $alive = yes ] || { grep -n 'received\|stopping' "$out/daemon.log" | head; fail "the daemon stopped itself after $pairs pair(s) of reloads"; }
[ $rc = 0 ] || fail "exit $rc after the reload storm"
[ "$(grep -c 'received TERM' "$out/daemon.log")" = 1 ] || fail "a worker's SIGTERM was taken for the daemon's"
[ "$restarted" -ge 60 ] || fail "only $restarted of 120 reloads restarted the workload"
echo "ok: the daemon outlived $pairs pairs of reloads"

# A string key changes: the command that runs is the new one from the
# reload on, and the run's config is the new one, the old one in history.
# cmd_conf WORD: display-server running a command that appends WORD to a file.
cmd_conf() {
	printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\n\n' "$out" "$out"
	printf '[workload x]\ntype = display-server\nrate = 20\ncommand = echo %s >> %s/ran\n' "$1" "$out"
}
rm -f "$out/gs.db"* "$out/ran"
cmd_conf old > "$out/test.conf"
model_daemon "$out/daemon.log" -v -c "$out/test.conf" --database "$out/gs.db" --duration 600s
wait_line "$out/daemon.log" 'ready:'
wait_line "$out/ran" old
cmd_conf new > "$out/test.conf"
kill -HUP "$daemon"
wait_line "$out/daemon.log" 'config-reloaded'
grep -o 'config-reloaded: .*' "$out/daemon.log"
grep -q 'config-reloaded: .*x restarted' "$out/daemon.log" || fail "a changed command did not restart the workload"
wait_line "$out/ran" new
stop_daemon
[ $rc = 0 ] || fail "exit $rc after the command's reload"
after=$(sed -n '/new/,$p' "$out/ran" | grep -c old || true)
echo "command changed by a reload: $(grep -c old "$out/ran") cycle(s) of the old command before, $(grep -c new "$out/ran") of the new one, $after of the old one after the first new"
[ "$after" = 0 ] || fail "the old command ran $after time(s) after the new one"
assert_true "$out/gs.db" "select config_text like '%echo new%' from runs" "the run's config is the reloaded one"
assert_sql "$out/gs.db" "select group_concat(config_text like '%echo new%', ',') from (select config_text from run_configs order by t)" "0,1" "run_configs: the start config, then the reloaded one"
echo "ok: a changed command restarts its workload, the run's config follows the reload"

# A reload to the old spelling (x-restart with command, display-server's
# key now) is taken, with a config-warning event naming the file and the
# line; the start with the new spelling logged none.
rm -f "$out/gs.db"* "$out/ran"
cmd_conf old | sed 's/^type = display-server/type = x-restart/' > "$out/test.conf"
line=$(grep -n '^command' "$out/test.conf" | cut -d: -f1)
cmd_conf new > "$out/test.conf"
model_daemon "$out/daemon.log" -v -c "$out/test.conf" --database "$out/gs.db" --duration 600s
wait_line "$out/daemon.log" 'ready:'
! grep -q 'deprecated' "$out/daemon.log" || fail "display-server with command: a deprecation line"
cmd_conf old | sed 's/^type = display-server/type = x-restart/' > "$out/test.conf"
model_hup_wait "$out/daemon.log" 'config-reloaded'
wait_line "$out/ran" old
stop_daemon
[ $rc = 0 ] || fail "exit $rc after the reload to the old spelling"
sql "$out/gs.db" "select kind || ': ' || message from events where kind = 'config-warning'"
assert_sql "$out/gs.db" "select count(*) from events where kind = 'config-warning'" 1 "one config-warning event"
assert_sql "$out/gs.db" "select count(*) from events where kind = 'config-warning' and message = '$out/test.conf:$line: warning: x-restart with command is deprecated: use type = display-server'" 1 \
	"the config-warning names the file, line $line and display-server"
echo "ok: a reload to x-restart's command runs it, with a config-warning at line $line"

# The leak guard's keys, a device that is not there, fds that run out.
rm -f "$out/gs.db"*
model_flink_conf "$out/test.conf" "$out"
cp "$out/test.conf" "$out/base.conf"
model_daemon "$out/daemon.log" -v -c "$out/test.conf" --database "$out/gs.db" --duration 600s
wait_line "$out/daemon.log" 'ready:'
hup_wait() {
	model_hup_wait "$out/daemon.log" "$1"
}
sed 's|^interval = 1s|&\nmemory_floor = 100M\nmemory_resume = 200M\nmeminfo = /proc/meminfo.none|' "$out/base.conf" > "$out/test.conf"
hup_wait 'config-reloaded'
assert_sql "$out/gs.db" "select count(*) from events where kind = 'config-needs-restart' and message like '%memory_floor, memory_resume, meminfo%'" 1 \
	"a reload of the leak guard's keys says they need a restart"
echo "ok: $(grep -o 'config-needs-restart: .*' "$out/daemon.log")"

sed "s|^device = .*|device = $out/card9|" "$out/base.conf" > "$out/test.conf"
hup_wait 'config-reload-failed'
grep -o 'config-reload-failed: .*' "$out/daemon.log" | tail -1
assert_sql "$out/gs.db" "select count(*) from events where kind = 'config-reload-failed' and message like '%device = $out/card9:%'" 1 \
	"a reload to a device that is not there is refused, naming it"
assert_sql "$out/gs.db" "select count(*) from runs where config_text like '%card9%'" 0 "the running config stays"
echo "ok: a reload to a missing device is refused"

# fds run out during a reload that adds a workload: the soft limit is set
# 3 above the daemon's lowest free fd (reading the config needs one or two;
# a workload's report and channel socketpairs need four).
lowest=$(model_lowest_fd)
limit=$(prlimit --pid "$daemon" --nofile --noheadings --output SOFT,HARD | awk '{ print $1 ":" $2 }')
{ cat "$out/base.conf"; printf '\n[workload late]\ntype = flink-share\nrate = 50\n'; } > "$out/test.conf"
prlimit --pid "$daemon" --nofile=$((lowest + 3)):"${limit#*:}"
hup_wait 'config-reloaded'
prlimit --pid "$daemon" --nofile="$limit"
first=$(grep -o 'config-reloaded: .*' "$out/daemon.log" | tail -1)
echo "with RLIMIT_NOFILE $((lowest + 3)): $first"
grep -q 'start-failed: cannot start workload late: .*(RLIMIT_NOFILE' "$out/daemon.log" || fail "no start-failed event naming RLIMIT_NOFILE"
echo "$first" | grep -q '1 kept, 0 restarted, 0 started, 0 stopped, 1 failed to start; late failed to start' || fail "the reload summary does not count the failed start"
model_wait_cycled "$out/gs.db" late
stop_daemon
[ $rc = 0 ] || fail "exit $rc"
echo "ok: a workload that failed to start when fds ran out starts with no other reload once they are back ($(model_cycled "$out/gs.db" late) samples with cycles; $(grep -c 'start-failed: cannot start workload late' "$out/daemon.log") start-failed event(s))"
