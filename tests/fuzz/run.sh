#!/bin/sh
# Run every fuzz target for SECONDS each from its seed corpus (the real
# kernel outputs in tests/fixtures, the shipped configs). A crash leaves
# its input in build/fuzz/crashes/; add it to tests/fuzz/regressions/ so
# it is replayed by every later run.
# usage: run.sh SECONDS TARGET...
set -eu
seconds=$1
shift
fail=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=build/fuzz/corpus/$name
	mkdir -p "$corpus" build/fuzz/crashes build/fuzz/logs
	case $name in
	fuzz-config) seeds="configs tests/fuzz/regressions/config" ;;
	fuzz-gem-names) seeds="tests/fixtures/gem_names-*" ;;
	fuzz-clients) seeds="tests/fixtures/clients-*" ;;
	fuzz-bufinfo) seeds="tests/fixtures/bufinfo-*" ;;
	fuzz-meminfo) seeds="tests/fixtures/meminfo-* tests/fixtures/status-*" ;;
	fuzz-i915-objects) seeds="tests/fixtures/i915_gem_objects-*" ;;
	fuzz-i915-gtt) seeds="tests/fixtures/i915_gem_gtt-*" ;;
	fuzz-slabinfo) seeds="tests/fixtures/slabinfo-*" ;;
	fuzz-i915-contexts) seeds="tests/fixtures/context_status-*" ;;
	fuzz-fdinfo) seeds="tests/fixtures/fdinfo-*" ;;
	fuzz-binder) seeds="tests/fixtures/binder-*" ;;
	fuzz-fences) seeds="tests/fixtures/bufinfo-*" ;;
	fuzz-framebuffers) seeds="tests/fixtures/framebuffer-* tests/fixtures/state-*" ;;
	esac
	for s in $seeds; do
		[ -e "$s" ] && cp -r "$s"/. "$corpus"/ 2>/dev/null || cp "$s" "$corpus"/ 2>/dev/null || true
	done
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix=build/fuzz/crashes/"$name"- "$corpus" > "build/fuzz/logs/$name.log" 2>&1; then
		echo "FAIL $name: see build/fuzz/logs/$name.log"
		tail -n 30 "build/fuzz/logs/$name.log"
		fail=1
		continue
	fi
	echo "$name: $(grep -o 'Done [0-9]* runs' "build/fuzz/logs/$name.log" | tail -n 1) in ${seconds}s, no crash"
done
exit $fail
