#!/bin/sh
# gemsoakd against the kernel model: a SIGTERM or SIGHUP during start-up
# waits for the event loop (exit 0, the run recorded and stopped, never
# killed by the signal); SIGHUPs with unchanged files record no event, a
# changed file one config-reloaded event and no false "database changed"
# when --database overrides the config's; a locked database exits 73; a
# database replaced by a file that is not SQLite is said once, not every
# round, and that file is left as it is.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/daemon-signals
rm -rf "$out"
mkdir -p "$out"
trap 'kill "$daemon" "$locker" 2>/dev/null || true; model_stop' EXIT
daemon='' locker=''
model_start "$out"
model_flink_conf "$out/test.conf" "$out"
# The config names a database; the daemon is given another (--database).
sed -i "s|^interval = 1s|&\ndatabase = $out/config.db|" "$out/test.conf"
start() {
	model_daemon "$out/daemon.log" -v -c "$out/test.conf" --database "$1" --duration "$2"
}
# wait_log PATTERN: poll the daemon's log (at most 30 s).
wait_log() {
	wait_line "$out/daemon.log" "$1"
}
finish() {
	set +e
	wait "$daemon"
	rc=$?
	set -e
	daemon=
}

# A signal while SIGTERM is still held (start-up): polled in
# /proc/PID/status, retried when start-up was over before the poll saw it.
for sig in TERM HUP; do
	caught=0
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		rm -f "$out/early.db"*
		start "$out/early.db" 3s
		while kill -0 "$daemon" 2>/dev/null; do
			blk=$(awk '/^SigBlk/ { print $2 }' "/proc/$daemon/status" 2>/dev/null || true)
			if [ -n "$blk" ] && [ $((0x$blk & 0x4000)) != 0 ] && ! grep -q 'ready:' "$out/daemon.log"; then
				kill -$sig "$daemon"
				caught=1
				break
			fi
			grep -q 'ready:' "$out/daemon.log" && break
		done
		[ $caught = 1 ] && break
		kill -TERM "$daemon" 2>/dev/null || true
		finish
	done
	[ $caught = 1 ] || fail "SIG$sig: start-up never seen with SIGTERM held (10 attempts)"
	finish
	[ $rc = 0 ] || { cat "$out/daemon.log"; fail "SIG$sig during start-up: exit $rc (killed by it?)"; }
	assert_sql "$out/early.db" "select count(*) from runs where stopped is not null" 1 "SIG$sig during start-up: the run is recorded and stopped"
	echo "ok: SIG$sig during start-up (attempt $attempt): exit 0, run recorded"
done

# 200 SIGHUPs with unchanged files: no event; then a change: one event,
# and no config-needs-restart for the database --database overrides.
start "$out/gs.db" 60s
wait_log 'ready:'
i=0
while [ $i -lt 200 ]; do kill -HUP "$daemon"; i=$((i + 1)); done
wait_log 'unchanged, nothing to reload'
printf '\n[workload extra]\ntype = flink-share\nrate = 50\n' >> "$out/test.conf"
kill -HUP "$daemon"
wait_log 'config-reloaded'
kill -TERM "$daemon"
finish
[ $rc = 0 ] || fail "reload daemon: exit $rc"
assert_sql "$out/gs.db" "select count(*) from events where kind = 'config-reloaded'" 1 "one config-reloaded event for 200 unchanged SIGHUPs and one change"
assert_sql "$out/gs.db" "select count(*) from events where kind = 'config-needs-restart'" 0 "no false 'database changed' with --database"
echo "ok: $(grep -c 'unchanged, nothing to reload' "$out/daemon.log") unchanged reload(s) logged, 1 config-reloaded event"

# A locked database: exit 73 (the status gemsoakd(8) gives).
mkfifo "$out/lock.in"
sqlite3 "$out/gs.db" < "$out/lock.in" > "$out/lock.out" 2>&1 &
locker=$!
exec 3> "$out/lock.in"
echo "begin exclusive; insert into trend_settings(key, value) values ('lock', 1); select 'locked';" >&3
i=0
until grep -q locked "$out/lock.out"; do i=$((i + 1)); [ $i -lt 100 ] || fail "cannot lock the database"; sleep 0.1; done
start "$out/gs.db" 5s
finish
exec 3>&-
wait "$locker" || true
locker=
[ $rc = 73 ] || { cat "$out/daemon.log"; fail "locked database: exit $rc, expected 73"; }
echo "ok: locked database: exit 73 ($(grep -o 'cannot start: .*' "$out/daemon.log"))"

# The database replaced by a text file while the daemon runs: said once.
start "$out/gs.db" 60s
wait_log 'ready:'
printf 'not a database\n' > "$out/text"
mv "$out/text" "$out/gs.db"
wait_log 'cannot be opened again'
# The fault lasts 3.5 s (rounds of 1 s go into the backlog meanwhile);
# then the text file goes, the daemon starts a new file and writes the
# backlog there, which shows how many rounds the fault lasted.
t0=$(date +%s.%N)
sleep 3.5
[ "$(cat "$out/gs.db")" = "not a database" ] || fail "the file that replaced the database was changed"
rm "$out/gs.db"
wait_log 'store-replaced'
kill -TERM "$daemon"
finish
[ $rc = 0 ] || fail "replaced database: exit $rc"
during=$(sql "$out/gs.db" "select count(*) from ticks where t > $t0 and t < (select t from events where kind = 'store-replaced')")
[ "$during" -ge 3 ] || fail "only $during round(s) during the fault"
[ "$(grep -c 'cannot be opened again' "$out/daemon.log")" = 1 ] || { cat "$out/daemon.log"; fail "the replaced database is reported more than once in $during rounds"; }
echo "ok: replaced by a text file: said once in $during rounds ($(grep -o 'cannot be opened again: .*' "$out/daemon.log")), the file left as it is"
