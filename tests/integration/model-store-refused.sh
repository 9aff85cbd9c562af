#!/bin/sh
# Rounds the database refuses, against the kernel model on the host:
# every round is written or counted as dropped, and what the database
# refuses for good never holds the rounds behind it.
# 1. A trigger refuses the tick of every fourth second (a constraint
#    error, as a metric name twice in one round was): those rounds are
#    dropped, counted in daemon.samples_dropped with a store-refused
#    event, and the rounds after them are written.
# 2. Another writer holds the database's lock when the daemon stops: the
#    rounds waiting in the backlog are tried once more, then counted as
#    dropped in a store-dropped event that the log has (the database
#    cannot take it).
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-store-refused
rm -rf "$out"
mkdir -p "$out"
daemon='' locker=''
trap 'kill "$daemon" "$locker" 2>/dev/null || true; model_stop' EXIT
model_start "$out"
model_flink_conf "$out/test.conf" "$out"
db=$out/gs.db
model_env "$GEMSOAKD" -c "$out/test.conf" --database "$db" --duration 2s > "$out/first.log" 2>&1 ||
	{ cat "$out/first.log"; fail "the first start"; }

# 1. Refused for good: dropped and counted, the rest written.
sql "$db" "create trigger refuse_every_4th before insert on ticks when cast(new.t as integer) % 4 = 0
	begin select raise(abort, 'refused by the test'); end"
before=$(sql "$db" "select count(*) from ticks")
model_env "$GEMSOAKD" -c "$out/test.conf" --database "$db" --duration 12s > "$out/refused.log" 2>&1 ||
	{ cat "$out/refused.log"; fail "the run with refused rounds"; }
written=$(sql "$db" "select count(*) - $before from ticks")
dropped=$(sql "$db" "select cast($(series daemon.samples_dropped 'max(s.value)') as integer)")
events=$(sql "$db" "select count(*) from events where kind = 'store-refused' and message like '%refused by the test%'")
echo "refused for good: $written round(s) written, $dropped dropped, $events store-refused event(s) in 12 s"
[ "$written" -ge 7 ] || { cat "$out/refused.log"; fail "a refused round held the rounds behind it: $written written"; }
[ "${dropped:-0}" -ge 1 ] || fail "the refused rounds were not counted in daemon.samples_dropped"
[ "$events" -ge 1 ] || fail "no store-refused event naming the error"
sql "$db" "drop trigger refuse_every_4th"

# 2. The lock held across the stop: the backlog's rounds are counted.
model_daemon "$out/stop.log" -c "$out/test.conf" --database "$db" --duration 60s
wait_line "$out/stop.log" "ready:"
mkfifo "$out/lock.in"
sqlite3 "$db" < "$out/lock.in" > "$out/lock.out" 2>&1 &
locker=$!
exec 3> "$out/lock.in"
echo "begin exclusive; insert into trend_settings(key, value) values ('lock', 1); select 'locked';" >&3
wait_line "$out/lock.out" locked
wait_line "$out/stop.log" "cannot store samples"
stop_daemon
exec 3>&-
wait "$locker" || true
locker=
[ "$rc" = 0 ] || { cat "$out/stop.log"; fail "gemsoakd exited $rc"; }
line=$(grep -o "store-dropped: [0-9]* round(s) taken from.*" "$out/stop.log") ||
	{ cat "$out/stop.log"; fail "rounds waiting at the stop were dropped without a trace"; }
echo "lock held at the stop: $line"
n=$(echo "$line" | sed 's/store-dropped: \([0-9]*\).*/\1/')
[ "$n" -ge 2 ] || fail "$n round(s) counted at the stop, expected the backlog and the last round"
assert_sql "$db" "pragma integrity_check" ok "database integrity"
echo "ok: every round written or counted as dropped"
