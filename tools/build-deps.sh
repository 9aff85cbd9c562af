#!/bin/sh
# tools/build-deps.sh MODULE...: can this machine build gemsoak? Each
# MODULE is a pkg-config name (the Makefile's PKGS). Exits 0 when the
# compiler, pkg-config and every module are there; otherwise names the
# Debian packages that are missing and the command that installs them,
# and exits 1. PKG_CONFIG and CC are the Makefile's.
set -u
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}

# The Debian package that ships MODULE's .pc file (each is listed in
# tools/packages.txt; tests/integration/build-deps.sh checks both).
package_of() {
	case $1 in
	libevent) echo libevent-dev ;;
	libdrm) echo libdrm-dev ;;
	sqlite3) echo libsqlite3-dev ;;
	inih) echo libinih-dev ;;
	libsystemd) echo libsystemd-dev ;;
	libbpf) echo libbpf-dev ;;
	*) echo "?$1" ;;
	esac
}

missing="" why=""
note() { missing="$missing $1"; why="$why
  $2 ($1)"; }

command -v "$CC" >/dev/null 2>&1 || note build-essential "no C compiler ($CC)"
# The BPF programs (bpf/): clang's BPF target, bpftool's skeletons.
command -v "${BPF_CLANG:-clang}" >/dev/null 2>&1 || note clang "no clang for the BPF programs (${BPF_CLANG:-clang})"
command -v "${BPFTOOL:-bpftool}" >/dev/null 2>&1 || note bpftool "no bpftool for the BPF skeletons (${BPFTOOL:-bpftool})"
if ! command -v "$PKG_CONFIG" >/dev/null 2>&1; then
	note pkg-config "no pkg-config program ($PKG_CONFIG)"
	# Without pkg-config, say every library package dpkg does not have.
	for m in "$@"; do
		p=$(package_of "$m")
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			note "$p" "library $m: not known without pkg-config"
	done
else
	for m in "$@"; do
		"$PKG_CONFIG" --exists "$m" 2>/dev/null || note "$(package_of "$m")" "pkg-config finds no $m"
	done
fi
[ -z "$missing" ] && exit 0
echo "gemsoak cannot be built here; missing:$why" >&2
echo "Install the Debian packages with:" >&2
echo "  sudo apt-get install$missing" >&2
echo "(or, as root, \`make deps\`: everything tools/packages.txt lists for the tests too)" >&2
exit 1
