#!/bin/sh
# The metrics the sources declare (`gemsoakd --list-metrics`) are the ones
# the docs name: README's metric tables list every one and nothing else,
# and every metric name the man pages, docs/workloads.md and db/TRENDS.md
# mention is declared. Every metric of the recorded runs (tests/corpus/,
# real samples from Debian's kernel) is declared, with its unit.
set -eu
. tests/lib.sh
out=$TOP/build/tests/metric-docs
rm -rf "$out"
mkdir -p "$out"
"$GEMSOAKD" --list-metrics > "$out/list"
[ -s "$out/list" ] || fail "--list-metrics printed nothing"
awk '{ print $1 }' "$out/list" > "$out/declared"
# A declared name as a glob: an upper-case part (NAME, OWNER) is any name.
sed 's/\.[A-Z][A-Z_]*/.*/g' "$out/declared" > "$out/globs"

# Does name match one of the globs in file (one a line)?
matches() {
	while read -r g; do
		# shellcheck disable=SC2254 # the line is a glob on purpose
		case $1 in $g) return 0 ;; esac
	done < "$2"
	return 1
}

# Does the glob pattern match one of the names in file?
covers() {
	while read -r d; do
		# shellcheck disable=SC2254 # a glob on purpose
		case $d in $1) return 0 ;; esac
	done < "$2"
	return 1
}

# A name or glob in the docs that some declaration answers.
known() {
	matches "$1" "$out/globs" || covers "$1" "$out/declared"
}

# The backquoted metric names of the first cell of README's table rows.
sed -n 's/^| \([^|]*\) |.*/\1/p' README.md | grep -o "\`[a-z0-9][a-z0-9]*\\.[A-Za-z0-9_.*]*\`" | tr -d "\`" |
	sort -u > "$out/readme"
bad=0
while read -r t; do
	known "$t" || { echo "README.md names $t, which no source declares"; bad=$((bad + 1)); }
done < "$out/readme"
while read -r d; do
	matches "$d" "$out/readme" ||
		{ echo "README.md's metric tables miss $d"; bad=$((bad + 1)); }
done < "$out/declared"

# Metric names anywhere in the other docs (not files such as binder.c).
prefixes='gem|dmabuf|drm|mem|slab|binder|fds|daemon|i915|workload'
grep -ohE "\b($prefixes)\.[A-Za-z0-9_.*]*[A-Za-z0-9_*]" docs/man/*.[158] docs/workloads.md db/TRENDS.md |
	grep -vE '\.(c|h|ko|sh|conf)$' | sort -u > "$out/mentioned"
while read -r t; do
	known "$t" || { echo "the docs name $t, which no source declares"; bad=$((bad + 1)); }
done < "$out/mentioned"

# The metrics of real runs, with their units.
n=0
for db in tests/corpus/*.db.xz; do
	xz -dc "$db" > "$out/run.db"
	sqlite3 -separator ' ' "$out/run.db" 'select name, unit from metrics' > "$out/seen"
	while read -r name unit; do
		n=$((n + 1))
		found=
		while read -r d u _; do
			g=$(echo "$d" | sed 's/\.[A-Z][A-Z_]*/.*/g')
			# shellcheck disable=SC2254 # a glob on purpose
			case $name in $g) found=$u; break ;; esac
		done < "$out/list"
		if [ -z "$found" ]; then
			echo "$db: $name is declared by no source"; bad=$((bad + 1))
		elif [ "$found" != "$unit" ]; then
			echo "$db: $name in $unit, declared in $found"; bad=$((bad + 1))
		fi
	done < "$out/seen"
done
echo "$(wc -l < "$out/declared") declared, $(wc -l < "$out/readme") in README's tables," \
	"$(wc -l < "$out/mentioned") named in the other docs, $n in the recorded runs: $bad disagree"
[ "$bad" -eq 0 ] || fail "docs, samples and declarations disagree"
echo ok
