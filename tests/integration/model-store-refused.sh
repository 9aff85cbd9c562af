#!/bin/sh
# Rounds the database refuses, against the kernel model on the host:
# every round is written or counted as dropped, and what the database
# refuses for good never holds the rounds behind it.
# 1. A trigger refuses the tick of every fourth second (a constraint
#    error, as a metric name twice in one round was): those rounds are
#    dropped, counted in daemon.samples_dropped with a store-refused
#    event, and the rounds after them are written.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model
out=$TOP/build/tests/model-store-refused
rm -rf "$out"
mkdir -p "$out"
trap model_stop EXIT
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

echo "ok: every round written or counted as dropped"
