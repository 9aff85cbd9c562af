#!/bin/sh
# Install the Debian packages listed in tools/packages.txt that are missing.
# Runs `apt-get update` first (a new machine has no package lists), but only
# when something is missing, so repeated `make check` stays fast.
# --missing: only print the missing ones, one a line.
set -eu
here=$(dirname "$0")
missing=""
for p in $(grep -v '^#' "$here/packages.txt" | tr -s ' \n' '\n'); do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
if [ "${1:-}" = --missing ]; then
	for p in $missing; do echo "$p"; done
	exit 0
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (a second checkout, unattended-upgrades) instead of failing.
lock="-o DPkg::Lock::Timeout=900"
# shellcheck disable=SC2086 # $lock is two words; $missing, one per package
apt-get $lock update -qq
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing
