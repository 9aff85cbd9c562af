#!/bin/sh
# Whose database is it: gemsoakd and `gemsoak merge` change only a file
# that is empty or gemsoak's (another application's SQLite database is
# left byte for byte as it was), one daemon writes a database at a time,
# merge's inputs are named by escaped URIs, and the CLI reads a database
# it cannot write (read-only: no -shm can be created) instead of calling
# it "not a gemsoak database".
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s all model build/gemsoak-synth
GS=$TOP/build/gemsoak
out=$TOP/build/tests/store-ownership
rm -rf "$out"
mkdir -p "$out"
trap 'kill "$daemon" 2>/dev/null || true; model_stop' EXIT
daemon=
model_start "$out"
model_flink_conf "$out/test.conf" "$out"
gsd() {
	GS_MODEL_SOCKET=$out/sock GS_MODEL_DEV=$out/card0 LD_PRELOAD=$MODEL_SHIM "$GEMSOAKD" -c "$out/test.conf" "$@"
}

# Another application's databases: refused with 73, not one byte changed.
sqlite3 "$out/app2.db" "create table c(x); insert into c values (1); pragma user_version = 2"
sqlite3 "$out/app0.db" "create table c(x); insert into c values (1)"
sqlite3 "$out/appid.db" "pragma application_id = 42; create table runs(x)"
printf 'not a database at all\n' > "$out/text.db"
for f in app2 app0 appid text; do
	cp "$out/$f.db" "$out/$f.orig"
	ERR=$out/$f.err run_rc gsd --database "$out/$f.db" --duration 5s
	[ "$rc" = 73 ] || { cat "$out/$f.err"; fail "gemsoakd on $f.db: exit $rc, expected 73"; }
	grep -q "$f.db: not a gemsoak database\|$f.db: not a SQLite database" "$out/$f.err" || { cat "$out/$f.err"; fail "$f.db: refusal not named"; }
	ERR=$out/$f.merr run_rc "$GS" merge "$out/$f.db" "$out/app2.db"
	[ "$rc" = 2 ] || fail "merge into $f.db: exit $rc, expected 2"
	cmp -s "$out/$f.db" "$out/$f.orig" || fail "$f.db was changed"
	[ ! -e "$out/$f.db-wal" ] || fail "$f.db: a -wal file was made"
	echo "ok: $f.db refused ($(grep -o "$f.db: .*" "$out/$f.err"))"
done
assert_sql "$out/app2.db" "pragma user_version" 2 "app2.db keeps its user_version"

# A new database is marked as gemsoak's.
gsd --database "$out/gs.db" --duration 2s > "$out/first.log" 2>&1 || { cat "$out/first.log"; fail "first daemon"; }
assert_sql "$out/gs.db" "pragma application_id" 1198347115 "application_id of a new database"

# One daemon per database: the second exits 73 and names the reason.
model_daemon "$out/d1.log" -c "$out/test.conf" --database "$out/gs.db" --duration 60s
wait_line "$out/d1.log" 'ready: database' 10
ERR=$out/d2.err run_rc gsd --database "$out/gs.db" --duration 5s
[ "$rc" = 73 ] || { cat "$out/d2.err"; fail "second daemon: exit $rc, expected 73"; }
grep -q 'in use by another gemsoakd' "$out/d2.err" || { cat "$out/d2.err"; fail "second daemon: no clear message"; }
echo "ok: second daemon refused ($(grep -o 'gs.db: in use[^;]*' "$out/d2.err"))"
kill -TERM "$daemon"
wait "$daemon" || fail "the first daemon exited with $?"
daemon=
assert_sql "$out/gs.db" "select count(*) from events where kind = 'run-start'" 2 "two starts recorded, none by the refused daemon"
assert_true "$out/gs.db" "select count(*) = 0 from (select t1.cycles c1, t2.cycles c2 from ticks t1
	join ticks t2 on t2.id = t1.id + 1 and t2.run_id = t1.run_id where c2 < c1)" "cycles never go backwards"

# Where the database lives: on a tmpfs a warning says it is lost with the
# machine and counts in mem.shmem_kb; on a disk no such warning.
assert_sql "$out/gs.db" "select count(*) from events where kind = 'store-on-tmpfs'" 0 "no tmpfs warning on a disk"
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	shm=$(mktemp -d /dev/shm/gs-store-XXXXXX)
	gsd --database "$shm/gs.db" --duration 2s > "$out/shm.log" 2>&1 || { cat "$out/shm.log"; rm -rf "$shm"; fail "daemon on a tmpfs"; }
	n=$(sql "$shm/gs.db" "select count(*) from events where kind = 'store-on-tmpfs' and message like '%mem.shmem_kb%'")
	rm -rf "$shm"
	[ "$n" = 1 ] || fail "database on a tmpfs: $n store-on-tmpfs warning(s)"
	echo "ok: a database on a tmpfs is warned about, one on a disk is not"
else
	echo "skip: /dev/shm is no tmpfs here"
fi

# merge: input names are escaped in the URI ('%41' is not 'A', '#' is no fragment).
"$TOP/build/gemsoak-synth" --db "$out/labA.db" --preset demo --host lab-a > /dev/null
ERR=$out/m.err run_rc "$GS" merge "$out/fleet.db" "$out/lab%41.db"
[ "$rc" = 2 ] || fail "merge lab%41.db (no such file): exit $rc, merged labA.db"
ERR=$out/m.err run_rc "$GS" merge "$out/fleet.db" "$out/lab#2.db"
[ "$rc" = 2 ] && [ ! -e "$out/lab" ] || fail "merge lab#2.db: exit $rc, or a file 'lab' made"
cp "$out/labA.db" "$out/l a%41#?.db"
"$GS" merge "$out/fleet.db" "$out/l a%41#?.db" | grep -q '2 run(s) merged' || fail "merge of a name with %, # and ?"
echo "ok: merge escapes file names"

# A future schema: merge refuses, readers warn.
cp "$out/labA.db" "$out/future.db"
sqlite3 "$out/future.db" "pragma user_version = 99"
ERR=$out/f.err run_rc "$GS" merge "$out/fleet.db" "$out/future.db"
[ "$rc" = 2 ] && grep -q 'schema version 99 is newer' "$out/f.err" || { cat "$out/f.err"; fail "merge of a future schema"; }
ERR=$out/f.err run_rc "$GS" runs --db "$out/future.db"
[ "$rc" = 0 ] && grep -q 'warning: database schema version 99 is newer' "$out/f.err" || { cat "$out/f.err"; fail "runs on a future schema: no warning"; }
echo "ok: future schema refused by merge, warned by readers"

# Read-only reading: a user who cannot write the directory (no -shm).
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
	mkdir -p "$out/ro"
	cp "$out/labA.db" "$out/ro/"
	chmod 755 "$out" "$out/ro"
	chmod 644 "$out/ro/labA.db"
	ERR=$out/ro.err run_rc setpriv --reuid=65534 --regid=65534 --clear-groups "$GS" status --db "$out/ro/labA.db"
	[ "$rc" = 0 ] || { cat "$out/ro.err"; fail "status as nobody on a read-only directory: exit $rc"; }
	grep -q 'labA.db: read-only' "$out/ro.err" || { cat "$out/ro.err"; fail "no read-only note"; }
	! grep -q 'not a gemsoak database' "$out/ro.err" || fail "called not a gemsoak database"
	echo "ok: read as nobody ($(cat "$out/ro.err"))"
	# The daemon on a database it cannot write: 73, as gemsoakd(8) says.
	ERR=$out/ro.err run_rc setpriv --reuid=65534 --regid=65534 --clear-groups env GS_MODEL_SOCKET="$out/sock" \
		GS_MODEL_DEV="$out/card0" LD_PRELOAD="$MODEL_SHIM" "$GEMSOAKD" -c "$out/test.conf" \
		--database "$out/ro/labA.db" --duration 2s
	[ "$rc" = 73 ] && grep -q 'labA.db: cannot open it for writing: attempt to write a readonly database' "$out/ro.err" ||
		{ cat "$out/ro.err"; fail "gemsoakd on a database it cannot write: exit $rc, expected 73"; }
	echo "ok: gemsoakd as nobody on it: exit 73 ($(grep -o 'labA.db: cannot.*' "$out/ro.err"))"
else
	echo "skip: read-only reading needs root and setpriv"
fi
