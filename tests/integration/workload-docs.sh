#!/bin/sh
# docs/workloads.md documents every workload type and every key, as
# `gemsoakd --list-workloads` lists them from the config reader's table.
set -eu
. tests/lib.sh
doc=docs/workloads.md
list=$("$GEMSOAKD" --list-workloads)
[ -n "$list" ] || fail "--list-workloads printed nothing"
echo "$list" | grep -v '^ ' | cut -d: -f1 | while read -r t; do
	grep -q "^| \`$t\` |" "$doc" || fail "$doc: workload $t is not in the table"
done
echo "$list" | grep '^ ' | awk '{ print $1 }' | sort -u | while read -r k; do
	grep -q "\`$k\`" "$doc" || grep -q "\`$k = " "$doc" || fail "$doc: key $k is not documented"
done
for t in prime-share self-import export-close-race flink-close-race x-restart; do
	grep -q "^## $t$" "$doc" || fail "$doc: no section for $t"
done
echo ok
