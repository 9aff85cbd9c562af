#!/bin/sh
# gemsoakd against the kernel model under limits a service can have.
# RLIMIT_NOFILE at 1000 (systemd's default soft limit is 1024): the
# workers keep their fds and work (they once exited at start, moving their
# fds to 1000 and up).
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
echo "ok: workers work under RLIMIT_NOFILE 1000"
