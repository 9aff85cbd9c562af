#!/bin/sh
# The progress line on a terminal: gemsoakd on a pseudo-terminal (script)
# against the kernel model prints, every [daemon] progress, the cycles per
# second, what leaks so far and what is undecided. Seed 000's fix left
# out, the line comes to name the finding (prime-share leaving dma-bufs
# in the kernel), in words and not as a list of metrics, its part at most
# 80 characters; with the fix in (the control) no finding of the model's
# is named, to the end. With stderr not a terminal, no progress line at
# all.
set -eu
. tests/lib.sh
. tests/model/lib.sh
command -v script > /dev/null || { echo "script (bsdutils) is not installed"; exit 77; }
make -s all model
out=$TOP/build/tests/progress
rm -rf "$out"
mkdir -p "$out"
trap 'model_stop' EXIT

# run NAME [SERVER ARGS]: 10 s of prime-share on a pty, verdicts allowed
# after 3 s and 4 windows (set in the database before the run starts).
run() {
	name=$1
	shift
	dir=$out/$name
	mkdir -p "$dir"
	model_start "$dir" "$@"
	cat > "$dir/test.conf" <<CONF
[daemon]
device = $dir/card0
debugfs = $dir/debugfs
interval = 500ms
trend_window = 1s
progress = 2s

[workload prime-share]
rate = 200
CONF
	# A first second to create the database, then its thresholds, then the run.
	model_env "$GEMSOAKD" -c "$dir/test.conf" --database "$dir/gs.db" --duration 1s > /dev/null 2>&1
	sql "$dir/gs.db" "update trend_thresholds set min_span_s = 3, min_windows = 4"
	model_env script -qefc "$GEMSOAKD -c $dir/test.conf --database $dir/gs.db --duration 10s --new-run" \
		/dev/null > "$dir/tty.log" 2>&1 || fail "$name: gemsoakd on a pty failed: $(tail -3 "$dir/tty.log")"
	model_stop
	tr -d '\r' < "$dir/tty.log" | grep 'progress: ' > "$dir/progress" || true
	echo "$name: $(wc -l < "$dir/progress") progress lines; last: $(tail -1 "$dir/progress")"
}

run leak --without-fix 000
n=$(wc -l < "$out/leak/progress")
[ "$n" -ge 3 ] || fail "leak: $n progress lines in 10 s at 2 s"
grep -q 'progress: run 2, [0-9]* cycles/s, [0-9]* samples; \(leaking\|findings\): ' "$out/leak/progress" ||
	fail "leak: the line's shape"
grep -q 'first verdicts in [0-9]* s' "$out/leak/progress" || fail "leak: no time to the first verdicts"
# findings LINE: the line's findings part ("" when it names none).
findings() {
	printf '%s\n' "$1" | sed -n 's/.*; findings: \(.*\); [0-9]* undecided.*/\1/p'
}
last=$(tail -1 "$out/leak/progress")
said=$(findings "$last")
echo "leak: the findings said at the end (${#said} characters): $said"
case "$said" in
*'prime-share leaves dma-bufs in the kernel ('[0-9]*' metrics)'*) ;;
*) fail "leak: the finding not named by the end: $last" ;;
esac
[ ${#said} -le 80 ] || fail "leak: the findings' part is ${#said} characters, over the cap of 80"
case "$last" in *dmabuf.objects*) fail "leak: metrics listed beside a finding: $last" ;; esac

run clean
# (mem.* are this host's own /proc/meminfo, not the model's: a finding of
# them alone is not the model's)
last=$(tail -1 "$out/clean/progress")
echo "clean: the findings said at the end: $(findings "$last")"
findings "$last" | grep -q 'prime-share\|dma-buf\|GEM\|VMA\|DRM' && fail "clean: a finding of the model's named"
printf '%s\n' "$last" | grep -q 'leaking: [^;]*\(dmabuf\|gem\.\|i915\|drm\.\)' &&
	fail "clean: a model metric called leaking"

# Not on a terminal: no progress line.
dir=$out/quiet
mkdir -p "$dir"
model_start "$dir"
sed "s|$out/clean|$dir|g" "$out/clean/test.conf" > "$dir/test.conf"
model_env "$GEMSOAKD" -c "$dir/test.conf" --database "$dir/gs.db" --duration 3s > "$dir/log" 2>&1
model_stop
! grep -q 'progress: ' "$dir/log" || fail "a progress line with stderr not a terminal"
echo ok
