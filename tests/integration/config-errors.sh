#!/bin/sh
# gemsoakd's answers to bad input: FILE:LINE and exit 78 for a bad config,
# a clear message and exit 69 for a missing device; --check-config passes
# every shipped config.
set -eu
. tests/lib.sh
d=build/tests/config-errors
rm -rf "$d"
mkdir -p "$d"
ERR=$d/err

printf '[daemon]\ninterval = 10s\n\n[workload flink-share]\nproducers = many\n' > "$d/bad.conf"
run_rc "$GEMSOAKD" -c "$d/bad.conf"
cat "$d/err"
[ $rc = 78 ] || fail "bad config: exit $rc, expected 78"
grep -q "^$d/bad.conf:5: producers: 'many' is not an integer" "$d/err" || fail "bad config: no FILE:LINE message"

run_rc "$GEMSOAKD" --check-config "$d/bad.conf"
[ $rc = 78 ] || fail "--check-config of a bad config: exit $rc, expected 78"
grep -q "^$d/bad.conf:5:" "$d/err" || fail "--check-config: no FILE:LINE message"

printf '[daemon]\ndevice = /dev/dri/card99\ndatabase = %s/never.db\n[workload flink-share]\n' "$d" > "$d/nodev.conf"
run_rc "$GEMSOAKD" -c "$d/nodev.conf"
cat "$d/err"
[ $rc = 69 ] || fail "missing device: exit $rc, expected 69"
grep -q "/dev/dri/card99: cannot open DRM device: No such file or directory (device = /dev/dri/card99 at $d/nodev.conf:2)" "$d/err" ||
	fail "missing device: unclear message"
[ ! -e "$d/never.db" ] || fail "nothing may be half-started: a database was created"

run_rc "$GEMSOAKD" -c "$d/missing.conf"
[ $rc = 78 ] || fail "missing config file: exit $rc"
grep -q "$d/missing.conf:0: cannot read config: No such file or directory" "$d/err" || fail "missing config: message"

for c in configs/*.conf; do
	"$GEMSOAKD" --check-config "$c" || fail "--check-config $c"
done

"$GEMSOAKD" --help | grep -q -- "--check-config" || fail "--help"
ERR=/dev/null run_rc "$GEMSOAKD" --bogus
[ $rc = 64 ] || fail "unknown option: exit $rc, expected 64"

printf '[daemon]\ntrend_window = 0s\nretention = soon\n[workload flink-share]\n' > "$d/trend.conf"
run_rc "$GEMSOAKD" --check-config "$d/trend.conf"
[ $rc = 78 ] || fail "bad trend_window/retention: exit $rc, expected 78"
grep -q "^$d/trend.conf:2: trend_window: '0s' is not a duration" "$d/err" || fail "trend_window: no FILE:LINE message"
grep -q "^$d/trend.conf:3: retention: 'soon' is not a duration" "$d/err" || fail "retention: no FILE:LINE message"
echo ok
