#!/bin/sh
# make install / uninstall into a DESTDIR: every file where it belongs, the
# unit clean for `systemd-analyze verify` with an exposure of at most 3.5
# in `systemd-analyze security`, the shipped config valid, the man pages
# free of formatting warnings, and nothing left after uninstall.
set -eu
. tests/lib.sh
d=$TOP/build/tests/install
dest=$d/root
rm -rf "$d"
mkdir -p "$d"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed"; exit 77; }
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)

make -s install DESTDIR="$dest" PREFIX=/usr > "$d/install.log" 2>&1 || { cat "$d/install.log"; fail "make install"; }
for f in /usr/sbin/gemsoakd /usr/bin/gemsoak "$unitdir/gemsoak.service" \
	/usr/share/man/man8/gemsoakd.8 /usr/share/man/man5/gemsoak.conf.5 \
	/etc/gemsoak/gemsoak.conf /etc/gemsoak/conf.d/10-flink-share.conf \
	/usr/share/gemsoak/db/migrations/0001-initial.sql; do
	[ -f "$dest$f" ] || fail "make install did not install $f"
done
[ -x "$dest/usr/sbin/gemsoakd" ] || fail "gemsoakd is not executable"
grep -q '^ExecStart=/usr/sbin/gemsoakd -c /etc/gemsoak/gemsoak.conf$' "$dest$unitdir/gemsoak.service" ||
	fail "the unit does not start the installed daemon"

# The shipped config and drop-in are valid (no device here: not checked).
"$dest/usr/sbin/gemsoakd" --check-config "$dest/etc/gemsoak/gemsoak.conf" > "$d/check.out" ||
	fail "the shipped config is refused: $(cat "$d/check.out")"
grep -q "ok (1 workload(s))" "$d/check.out" || fail "the shipped drop-in was not read: $(cat "$d/check.out")"

# A mistake in a drop-in stops the daemon at start with FILE:LINE, exit 78.
printf '[workload extra]\ntype = flink-share\nproducers = none\n' > "$dest/etc/gemsoak/conf.d/50-bad.conf"
ERR=$d/dropin.err run_rc "$dest/usr/sbin/gemsoakd" -c "$dest/etc/gemsoak/gemsoak.conf"
[ $rc = 78 ] || fail "a bad drop-in: exit $rc, expected 78"
grep -q "^$dest/etc/gemsoak/conf.d/50-bad.conf:3: producers: 'none'" "$d/dropin.err" ||
	fail "a bad drop-in: no FILE:LINE message: $(cat "$d/dropin.err")"
rm "$dest/etc/gemsoak/conf.d/50-bad.conf"

# A second install keeps the admin's config.
echo "# edited" >> "$dest/etc/gemsoak/gemsoak.conf"
make -s install DESTDIR="$dest" PREFIX=/usr > "$d/install.log" 2>&1 || fail "second make install"
grep -q "^# edited" "$dest/etc/gemsoak/gemsoak.conf" || fail "make install overwrote the config"

# verify checks that ExecStart= is executable and Documentation= man pages
# exist on this machine: point both at DESTDIR (the VM test verifies the
# unit as installed on a real system).
sed "s|^ExecStart=/usr/sbin/|ExecStart=$dest/usr/sbin/|" "$dest$unitdir/gemsoak.service" > "$d/gemsoak.service"
ERR=$d/verify.err MANPATH=$dest/usr/share/man run_rc systemd-analyze verify "$d/gemsoak.service"
cat "$d/verify.err"
[ $rc = 0 ] && [ ! -s "$d/verify.err" ] || fail "systemd-analyze verify is not clean"

systemd-analyze security --offline=true --root="$dest" "$unitdir/gemsoak.service" > "$d/security.out" 2>&1 ||
	{ cat "$d/security.out"; fail "systemd-analyze security failed"; }
exposure=$(sed -n 's/.*Overall exposure level for gemsoak.service: \([0-9.]*\).*/\1/p' "$d/security.out")
echo "exposure: $exposure"
[ -n "$exposure" ] || fail "no exposure level in: $(tail -n 3 "$d/security.out")"
awk -v e="$exposure" 'BEGIN { exit !(e <= 3.5) }' ||
	{ grep '✗' "$d/security.out"; fail "exposure $exposure is above 3.5"; }

for m in "$dest"/usr/share/man/man*/*; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "$m: $w"
done

make -s uninstall DESTDIR="$dest" PREFIX=/usr > "$d/uninstall.log" 2>&1 || { cat "$d/uninstall.log"; fail "make uninstall"; }
left=$(find "$dest" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "install, verify, security (exposure $exposure), uninstall: ok"
