#!/bin/sh
# The PRIME finding end to end, against the kernel model: prime-share at
# 200 cycles/s with seed 000's fix left out (the exporter's handle keeps
# a reference to the dma-buf, so every exported dma-buf outlives the
# processes that held it) gives, in `gemsoak findings`, the finding
# "dma-bufs outlive every process that held them: PRIME export/import
# path", held by the kernel, led by dmabuf.objects, naming prime-share and
# the kernel check. The negative control, the same run with the fix in:
# no finding of the model's, and no such sentence. mem.* is the host's
# /proc/meminfo, which the model does not model and other processes move:
# a finding led by it alone is shown, not asserted.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s model all
GS=$TOP/build/gemsoak
out=$TOP/build/tests/model-findings-prime
rm -rf "$out"
mkdir -p "$out"
trap 'model_stop' EXIT
sentence='dma-bufs outlive every process that held them: PRIME export/import path'
model="lead_metric not glob 'mem.*'"

model_prime_conf "$out/prime.conf"

# run NAME [SERVER ARGS]: 12 s of prime-share, then judged with 4 windows
# of 1 s over 3 s (the rule's defaults ask for 20 minutes), and its
# findings as `gemsoak findings` prints them (NAME.txt, NAME.csv).
run() {
	name=$1
	shift
	model_run_daemon "$out/prime.conf" 12 "$out/$name" "$@" > "$out/$name.log"
	db=$out/$name/gs.db
	set_thresholds "$db" "min_span_s = 3, min_windows = 4"
	# (exit 1: a finding; 0: none)
	"$GS" findings -D "$db" > "$out/$name.txt" 2> "$out/$name.err" && rc=0 || rc=$?
	echo "$rc" > "$out/$name.rc"
	"$GS" findings -D "$db" --csv > "$out/$name.csv" 2>> "$out/$name.err" || true
	echo "--- $name: gemsoak findings (exit $rc) ---"
	cat "$out/$name.txt"
}

run leak --without-fix 000
db=$out/leak/gs.db
[ "$(cat "$out/leak.rc")" = 1 ] || fail "leak: gemsoak findings exit $(cat "$out/leak.rc"), not 1 (a finding)"
grep -qF "$sentence" "$out/leak.txt" || fail "leak: the PRIME sentence not printed"
grep -qF "$sentence" "$out/leak.csv" || fail "leak: the PRIME sentence not in the CSV"
assert_sql "$db" "select count(*) from findings where $model" 1 "leak: one finding of the model's"
assert_sql "$db" "select lead_metric || ' ' || holder || ' ' || workload from findings where $model" \
	"dmabuf.objects kernel prime-share" "leak: the finding's lead, holder and workload"
assert_true "$db" "select summary like '$sentence%' from findings where $model" "leak: the finding's summary"
assert_true "$db" "select next like 'gemsoak kernel check --running%' from findings where $model" \
	"leak: the next step is the kernel check"
echo "leak: $(sql "$db" "select count(*) from findings") finding(s); the model's: $(sql "$db" "select lead_metric || ', held by the ' ||
	holder || ', ' || round(per_kcycle, 1) || ' per 1000 of ' || workload || ' cycles, ' || round(per_hour) || ' per hour, ' ||
	(length(metrics) - length(replace(metrics, ',', '')) + 1) || ' metrics (' || metrics || '): ' || summary
	from findings where $model")"

run clean
db=$out/clean/gs.db
assert_sql "$db" "select verdict from leak_trends where metric = 'dmabuf.objects'" stable "clean: dmabuf.objects judged stable"
assert_sql "$db" "select count(*) from findings where $model" 0 "clean: no finding of the model's"
! grep -qF "$sentence" "$out/clean.txt" || fail "clean: the PRIME sentence printed"
echo "clean: dmabuf.objects $(trend "$db" dmabuf.objects verdict) (last $(trend "$db" dmabuf.objects last_value)," \
	"$(trend "$db" dmabuf.objects slope_per_kcycle) per 1000 cycles), $(sql "$db" "select count(*) from leak_trends
	where verdict = 'stable' and scope = 'kernel'") kernel metrics stable; 0 findings of the model's," \
	"$(sql "$db" "select count(*) from findings") of the host's meminfo alone (exit $(cat "$out/clean.rc"))"
echo ok
