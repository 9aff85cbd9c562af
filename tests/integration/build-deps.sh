#!/bin/sh
# Plain `make` on a machine without the build dependencies names the
# missing Debian packages and the command that installs them, exits
# non-zero and compiles nothing. pkg-config is replaced by a stub that
# finds no inih and no libevent, then by one that finds nothing, then is
# absent; the negative control is the real one, with which the check
# passes silently.
set -eu
. tests/lib.sh
# Run by make -j (check-quick), the inner makes would warn on stderr that
# they cannot reach the jobserver: each runs on its own.
unset MAKEFLAGS MFLAGS MAKELEVEL
out=$TOP/build/tests/build-deps
rm -rf "$out"
mkdir -p "$out/bin"
for m in none inih-libevent; do
	{
		echo '#!/bin/sh'
		echo "mode=$m"
		cat <<'STUB'
for a; do case $mode:$a in none:--*) ;; none:*|*:inih|*:libevent) exit 1 ;; esac; done
exec pkg-config "$@"
STUB
	} > "$out/bin/pc-$m"
	chmod +x "$out/bin/pc-$m"
done

# build PKG_CONFIG: plain make into a build dir of its own; its exit
# status in $rc, its stderr in $out/err.
build() {
	ERR=$out/err run_rc make -s B="$out/b" PKG_CONFIG="$1" all > /dev/null
}

build "$out/bin/pc-inih-libevent"
cat "$out/err"
[ "$rc" -ne 0 ] || fail "make passed without inih and libevent"
grep -q 'apt-get install libevent-dev libinih-dev$' "$out/err" ||
	fail "no install command naming libevent-dev and libinih-dev"
! grep -q 'libdrm-dev\|libsqlite3-dev\|libsystemd-dev' "$out/err" || fail "named a package that is there"
! grep -q 'error:' "$out/err" || fail "the compiler ran"
[ -z "$(find "$out/b" -name '*.o' 2>/dev/null)" ] || fail "objects were compiled"

build "$out/bin/pc-none"
[ "$rc" -ne 0 ] || fail "make passed with no library found"
line=$(grep 'apt-get install' "$out/err")
echo "with no library: $line"
for p in ${line#*apt-get install}; do
	grep -qx "$p" tools/packages.txt || fail "$p is not in tools/packages.txt"
done
[ "$(echo "${line#*apt-get install}" | wc -w)" -eq 6 ] || fail "expected the 6 library packages"

build "$out/bin/no-such-pkg-config"
[ "$rc" -ne 0 ] || fail "make passed without pkg-config"
grep -q 'apt-get install.* pkg-config' "$out/err" || fail "pkg-config not named"
echo "without pkg-config: $(grep 'apt-get install' "$out/err")"

ERR=$out/err run_rc make -s build-deps
if [ "$rc" -ne 0 ] || [ -s "$out/err" ]; then
	fail "the check refuses this machine: $(cat "$out/err")"
fi
echo "ok: the missing packages named and nothing compiled; the real pkg-config passes"
