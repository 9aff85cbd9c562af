#!/bin/sh
# gemsoakd opens its database only where no other user can slip in a file
# of theirs (as root with --database in /tmp, where fs.protected_symlinks=0
# lets a link be followed): a symbolic link as the database or its -wal or
# -shm, a file another user owns, a file with a second hard link, and a
# directory another user owns or that every user may write without the
# sticky bit are each refused with exit 73 and a message naming the file;
# nothing is created through the link. The negative controls: a fresh
# path and an existing file of root's in a sticky directory pass the
# check (the daemon then stops at the missing device: exit 69, and
# creates no database, as before).
set -eu
. tests/lib.sh
make -s all
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (files of another uid)"; exit 77; }
out=$TOP/build/tests/database-path
rm -rf "$out"
mkdir -p "$out"
printf '[daemon]\ndevice = %s/no-such-card\n' "$out" > "$out/test.conf"
tmp=$out/tmp
mkdir "$tmp"
chmod 1777 "$tmp"
other=4242

# try NAME STATUS PATTERN DB: gemsoakd with --database DB exits STATUS,
# its message matching PATTERN
try() {
	set +e
	"$GEMSOAKD" -c "$out/test.conf" --database "$4" > "$out/$1.log" 2>&1
	rc=$?
	set -e
	msg=$(head -n 1 "$out/$1.log")
	echo "$1: exit $rc: $msg"
	[ "$rc" = "$2" ] || fail "$1: exit $rc, expected $2"
	grep -Eq -- "$3" "$out/$1.log" || fail "$1: no message matching '$3'"
}

ln -s "$out/victim" "$tmp/link.db"
try symlink 73 "link.db is a symbolic link" "$tmp/link.db"
[ ! -e "$out/victim" ] || fail "symlink: the link's target was created"

: > "$tmp/planted.db"
chown "$other" "$tmp/planted.db"
try planted 73 "planted.db is owned by uid $other" "$tmp/planted.db"

: > "$tmp/wal.db"
ln -s "$out/victim" "$tmp/wal.db-wal"
try wal-link 73 "wal.db-wal is a symbolic link" "$tmp/wal.db"
[ ! -e "$out/victim" ] || fail "wal-link: the link's target was created"

: > "$tmp/shm.db"
: > "$tmp/shm.db-shm"
chown "$other" "$tmp/shm.db-shm"
try shm-planted 73 "shm.db-shm is owned by uid $other" "$tmp/shm.db"

: > "$out/secret"
ln "$out/secret" "$tmp/hard.db"
try hardlink 73 "hard.db has 2 hard links" "$tmp/hard.db"

mkdir "$out/open"
chmod 0777 "$out/open"
try open-dir 73 "writable by every user and not sticky" "$out/open/gs.db"
[ ! -e "$out/open/gs.db" ] || fail "open-dir: the database was created"

mkdir "$out/theirs"
chown "$other" "$out/theirs"
try their-dir 73 "owned by uid $other" "$out/theirs/gs.db"

# negative controls: past the check, the device is what is missing
try fresh 69 "no-such-card" "$tmp/fresh.db"
[ ! -e "$tmp/fresh.db" ] || fail "fresh: a database created though the device is missing"
: > "$tmp/mine.db"
try mine 69 "no-such-card" "$tmp/mine.db"
