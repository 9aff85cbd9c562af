#!/bin/sh
# Report a gemsoak run to LAVA: one lava-test-case per testcase of
# `gemsoak gate --junit` (kernel metrics, workloads' promises and work), then the
# gate itself, with the gate's exit status (0 pass, 1 fail, 77 too short to
# judge: skip). Exits 0 so the LAVA job goes on to its next test.
# usage: report.sh [--daemon-status N] DB
set -u
daemon=0
if [ "${1:-}" = --daemon-status ]; then
	daemon=$2
	shift 2
fi
db=${1:?usage: report.sh [--daemon-status N] DB}
gemsoak=${GEMSOAK:-gemsoak}
lava_case=${LAVA_TEST_CASE:-lava-test-case}

if [ "$daemon" = 0 ]; then
	$lava_case gemsoakd --result pass
else
	$lava_case gemsoakd --result fail
fi
xml=$(mktemp) || exit 0
trap 'rm -f "$xml"' EXIT
$gemsoak gate -D "$db" --junit "$xml" > /dev/null
gate=$?
# gemsoak writes one <testcase> per line.
sed -n 's/^ *<testcase classname="gemsoak\.\([a-z]*\)" name="\([^"]*\)".*/\1 \2 &/p' "$xml" |
while read -r class name line; do
	case $line in
	*"<failure"*) result=fail ;;
	*"<skipped"*) result=skip ;;
	*) result=pass ;;
	esac
	# LAVA test case names: letters, digits, '.', '_', '-'
	$lava_case "$class-$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')" --result $result
done
case $gate in
0) $lava_case gate --result pass ;;
1) $lava_case gate --result fail ;;
77) $lava_case gate --result skip ;;
*) $lava_case gate --result fail; echo "report.sh: gemsoak gate exited $gate" >&2 ;;
esac
exit 0
