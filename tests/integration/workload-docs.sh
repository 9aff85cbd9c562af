#!/bin/sh
# docs/workloads.md and gemsoak.conf(5) document every workload type and
# every key, as `gemsoakd --list-workloads` lists them from the config
# reader's table (test hooks aside).
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
for t in prime-share self-import export-close-race flink-close-race x-restart display-server; do
	grep -q "^## $t$" "$doc" || fail "$doc: no section for $t"
done
man=docs/man/gemsoak.conf.5
echo "$list" | grep -v '^ ' | cut -d: -f1 | while read -r t; do
	grep -qxF ".SS $(echo "$t" | sed 's/-/\\-/g')" "$man" || fail "$man: no section for workload $t"
done
echo "$list" | grep '^ ' | awk '$1 != "test_hook_violate" { print $1 }' | sort -u | while read -r k; do
	grep -E '^\.BR? ' "$man" | grep -qw -- "$k" || fail "$man: key $k is not documented"
done
echo ok
