#!/bin/sh
# gemsoakd against the kernel model under limits a service can have.
# RLIMIT_NOFILE at 1000 (systemd's default soft limit is 1024): the
# workers keep their fds and work (they once exited at start, moving their
# fds to 1000 and up), with no warning; at 48 the daemon warns at start
# that the limit leaves it too few fds. `user =` that no worker can become (the shipped
# unit has no CAP_SETUID/CAP_SETGID, here dropped with setpriv): refused
# at config check and at start with a message naming the unit, exit 78;
# the same config with the capabilities is accepted. A worker whose fds
# do not fit says so in an fd-limit event and exits 6.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-limits
rm -rf "$out"
mkdir -p "$out"
trap 'model_stop' EXIT
model_start "$out"
model_flink_conf "$out/test.conf" "$out"

set +e
model_env prlimit --nofile=1000:1000 "$GEMSOAKD" -c "$out/test.conf" --database "$out/gs.db" --duration 4s \
	> "$out/daemon.log" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$out/daemon.log"; fail "RLIMIT_NOFILE 1000: exit $rc"; }
cycles=$(sql "$out/gs.db" "select max(cycles) from ticks")
exits=$(sql "$out/gs.db" "select count(*) from events where kind = 'worker-exit'")
echo "RLIMIT_NOFILE 1000: $cycles cycles, $exits worker exit(s)"
[ "$exits" = 0 ] || { grep worker-exit "$out/daemon.log" | head -3; fail "workers exit under RLIMIT_NOFILE 1000"; }
[ "$cycles" -gt 0 ] || fail "no cycle under RLIMIT_NOFILE 1000"
assert_sql "$out/gs.db" "select count(*) from events where kind = 'fd-limit'" 0 "no fd-limit warning with fds to spare"
echo "ok: workers work under RLIMIT_NOFILE 1000"

# A limit that leaves the daemon fewer than 64 fds free once its workloads
# run: an fd-limit warning at start, naming the limit.
set +e
model_env prlimit --nofile=48:48 "$GEMSOAKD" -c "$out/test.conf" --database "$out/low.db" --duration 2s \
	> "$out/low.log" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$out/low.log"; fail "RLIMIT_NOFILE 48: exit $rc"; }
warned=$(sql "$out/low.db" "select message from events where kind = 'fd-limit' and source = 'daemon'")
echo "RLIMIT_NOFILE 48: $warned"
echo "$warned" | grep -q '^RLIMIT_NOFILE 48 leaves [0-9]* of them free' || fail "no fd-limit warning at start under RLIMIT_NOFILE 48"

sed 's|^interval = 1s|&\nuser = nobody|' "$out/test.conf" > "$out/user.conf"
nocaps() {
	setpriv --bounding-set -setuid,-setgid "$@"
}
set +e
model_env nocaps "$GEMSOAKD" --check-config "$out/user.conf" > "$out/check.out" 2> "$out/check.err"
rc=$?
set -e
cat "$out/check.err"
[ $rc = 78 ] || fail "--check-config of user = without CAP_SETUID: exit $rc, expected 78"
grep -q "user.conf:5: user = nobody: .*gemsoak.service" "$out/check.err" || fail "the message names neither the line nor the unit"
set +e
model_env nocaps "$GEMSOAKD" -c "$out/user.conf" --database "$out/user.db" --duration 2s > "$out/start.log" 2>&1
rc=$?
set -e
[ $rc = 78 ] || { cat "$out/start.log"; fail "start with user = without CAP_SETUID: exit $rc, expected 78"; }
[ ! -e "$out/user.db" ] || fail "a refused start created a database"
model_env "$GEMSOAKD" --check-config "$out/user.conf" > "$out/check.out" 2>&1 || { cat "$out/check.out"; fail "user = nobody refused with the capabilities"; }
echo "ok: user = that no worker can become is refused (exit 78, naming the unit); accepted with CAP_SETUID/CAP_SETGID: $(cat "$out/check.out")"

# A worker whose fds do not fit: the daemon's soft limit leaves it just
# the room for a new workload's report and channel fds (measured with a
# first start of it), so the workers find none to keep theirs in. They
# say so in an fd-limit event naming the limit, their worker-exit event
# words status 6, and once the limit is back the workload works.
model_flink_conf "$out/test.conf" "$out"
# No leak guard: its thread would take a slot now and then.
sed -i 's|^interval = 1s|&\nmemory_floor = 0|' "$out/test.conf"
cp "$out/test.conf" "$out/base.conf"
{ cat "$out/base.conf"; printf '\n[workload late]\ntype = flink-share\nrate = 50\n'; } > "$out/late.conf"
daemon=
trap 'kill "$daemon" 2>/dev/null || true; model_stop' EXIT
model_daemon "$out/daemon.log" -v -c "$out/test.conf" --database "$out/fd.db" --duration 600s
wait_line "$out/daemon.log" 'ready:'
free=$(model_lowest_fd)
cp "$out/late.conf" "$out/test.conf"
model_hup_wait "$out/daemon.log" 'config-reloaded'
need=$(($(model_lowest_fd) - free))
cp "$out/base.conf" "$out/test.conf"
model_hup_wait "$out/daemon.log" 'config-reloaded'
[ "$(model_lowest_fd)" = "$free" ] || fail "the removed workload's fds were not all closed"
limit=$(prlimit --pid "$daemon" --nofile --noheadings --output SOFT,HARD | awk '{ print $1 ":" $2 }')
prlimit --pid "$daemon" --nofile=$((free + need)):"${limit#*:}"
cp "$out/late.conf" "$out/test.conf"
model_hup_wait "$out/daemon.log" 'worker-exit: process . exited with status 6'
prlimit --pid "$daemon" --nofile="$limit"
grep -o 'fd-limit: .*' "$out/daemon.log" | head -1
grep -o 'worker-exit: .*status 6.*' "$out/daemon.log" | head -1
grep -q "fd-limit: process .: cannot keep its . fds under RLIMIT_NOFILE $((free + need))" "$out/daemon.log" || fail "no fd-limit event naming the limit"
model_wait_cycled "$out/fd.db" late
kill -TERM "$daemon"
wait "$daemon" || fail "exit $?"
daemon=
assert_true "$out/fd.db" "select count(*) > 0 from events where source = 'workload late' and kind = 'fd-limit'" "the run records the fd-limit event"
echo "ok: RLIMIT_NOFILE $((free + need)) (the daemon's $free fds and a workload's $need): the workers said so and exited 6; the workload works once the limit is back"
