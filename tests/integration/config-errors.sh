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

# x-restart's `command =` is display-server's now: an old config is taken,
# with one warning naming its file, line and the new type; the same keys
# under the new type give none.
printf '[daemon]\ninterval = 10s\n\n[workload old]\ntype = x-restart\ncommand = true\n' > "$d/old.conf"
run_rc "$GEMSOAKD" --check-config "$d/old.conf"
[ $rc = 0 ] || fail "x-restart with command: exit $rc, expected 0"
grep "deprecated" "$d/err" || true
[ "$(grep -c deprecated "$d/err")" = 1 ] || fail "x-restart with command: not one deprecation line"
grep -qxF "$d/old.conf:6: warning: x-restart with command is deprecated: use type = display-server" "$d/err" ||
	fail "x-restart with command: the deprecation line does not name FILE:LINE and display-server"
sed 's/^type = x-restart/type = display-server/' "$d/old.conf" > "$d/new.conf"
run_rc "$GEMSOAKD" --check-config "$d/new.conf"
[ $rc = 0 ] || fail "display-server with command: exit $rc, expected 0"
! grep -q "warning" "$d/err" || fail "display-server with command: a warning"
echo "ok: x-restart's command taken with a warning at FILE:LINE; display-server's without"

printf '[daemon]\ntrend_window = 0s\nretention = soon\n[workload flink-share]\n' > "$d/trend.conf"
run_rc "$GEMSOAKD" --check-config "$d/trend.conf"
[ $rc = 78 ] || fail "bad trend_window/retention: exit $rc, expected 78"
grep -q "^$d/trend.conf:2: trend_window: '0s' is not a duration" "$d/err" || fail "trend_window: no FILE:LINE message"
grep -q "^$d/trend.conf:3: retention: 'soon' is not a duration" "$d/err" || fail "retention: no FILE:LINE message"
echo ok

# Bounded config reads: what is not a regular file is refused at once
# (a FIFO would block, /dev/zero never ends), a file past the size cap is
# refused, a directory is not an empty config.
mkdir -p "$d/dir/conf.d"
printf '[daemon]\n' > "$d/dir/gemsoak.conf"
mkfifo "$d/dir/conf.d/fifo.conf"
run_rc timeout 20 "$GEMSOAKD" --check-config "$d/dir/gemsoak.conf"
[ $rc = 78 ] || fail "FIFO in conf.d: exit $rc, expected 78 (124: it blocked)"
grep -q "^$d/dir/conf.d/fifo.conf:0: cannot read config: not a regular file" "$d/err" || fail "FIFO in conf.d: message"
rm "$d/dir/conf.d/fifo.conf"
ln -s /dev/zero "$d/dir/conf.d/zero.conf"
run_rc timeout 20 "$GEMSOAKD" --check-config "$d/dir/gemsoak.conf"
[ $rc = 78 ] || fail "/dev/zero in conf.d: exit $rc, expected 78"
grep -q "zero.conf:0: cannot read config: not a regular file" "$d/err" || fail "/dev/zero in conf.d: message"
rm "$d/dir/conf.d/zero.conf"
run_rc timeout 20 "$GEMSOAKD" --check-config /dev/urandom
[ $rc = 78 ] || fail "/dev/urandom: exit $rc, expected 78"
run_rc "$GEMSOAKD" --check-config "$d/dir"
[ $rc = 78 ] || fail "a directory as config: exit $rc, expected 78"
grep -q "^$d/dir:0: cannot read config: Is a directory" "$d/err" || fail "a directory as config: message"
head -c 2000000 /dev/zero | tr '\0' '#' > "$d/huge.conf"
run_rc timeout 20 "$GEMSOAKD" --check-config "$d/huge.conf"
[ $rc = 78 ] && grep -q "huge.conf:0: cannot read config: larger than 1024 KiB" "$d/err" || fail "2 MB config: exit $rc, no size cap message"
echo "ok: FIFO, /dev/zero, /dev/urandom, a directory and a 2 MB file refused"

# Long lines: a long comment is fine and the real error after it is named
# at its line; a long key line is "line too long" at its own line.
printf '[workload flink-share]\n# %0198d\nproducers = 2\nbogus = 1\n' 0 > "$d/long-comment.conf"
run_rc "$GEMSOAKD" --check-config "$d/long-comment.conf"
[ $rc = 78 ] || fail "long comment + bogus key: exit $rc"
grep -q "^$d/long-comment.conf:4: unknown key 'bogus'" "$d/err" || { cat "$d/err"; fail "long comment: the real error at line 4 missed"; }
! grep -q "syntax error" "$d/err" || fail "long comment: a syntax error reported"
printf '[workload flink-share]\nproducers = 2\nseed = %0300d\nbogus = 1\n' 1 > "$d/long-line.conf"
run_rc "$GEMSOAKD" --check-config "$d/long-line.conf"
[ $rc = 78 ] && grep -q "^$d/long-line.conf:3: line too long (307 characters" "$d/err" || { cat "$d/err"; fail "long line: not reported at line 3"; }
grep -q "^$d/long-line.conf:4: unknown key 'bogus'" "$d/err" || { cat "$d/err"; fail "long line: the error after it missed"; }
echo "ok: long lines ($(cat "$d/err"))"

# The worker processes of all workloads together are bounded.
for i in $(seq 1 80); do
	printf '[workload w%d]\ntype = flink-share\nproducers = 32\nconsumers = 32\n' "$i"
done > "$d/procs.conf"
run_rc "$GEMSOAKD" --check-config "$d/procs.conf"
[ $rc = 78 ] && grep -q "\[workload w65\] brings the worker processes to 4160; at most 4096" "$d/err" || { cat "$d/err"; fail "5120 processes accepted"; }
echo "ok: $(cat "$d/err")"
