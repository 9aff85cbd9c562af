#!/bin/sh
# igt-gpu-tools' leak and race sequences (gem_flink_race, prime_self_import,
# gem_ppgtt; tests/model/test-igt.c) against the kernel model, counts read
# right after each call returns. With every fix in: every sequence passes
# (0 leaked, same handles, contents and offsets), RUNS runs. With one seed's
# fix out: the sequences that target it fail, every run, and the others
# still pass. Prints each sequence's figures.
set -eu
. tests/lib.sh
. tests/model/lib.sh
make -s model
out=$TOP/build/tests/model-igt
RUNS=${RUNS:-3}
trap model_stop EXIT

SEQUENCES="flink_name flink_close export-vs-gem_close-race reimport-vs-gem_close-race
with_one_bo with_two_bos with_fd_dup flink-and-close flink-and-exit
prime-cache-open-file prime-stale-entry"

# targets SEED: the sequences that fail with SEED's fix out.
targets() {
	case $1 in
	000) echo "with_one_bo prime-cache-open-file prime-stale-entry" ;;
	001) echo "export-vs-gem_close-race" ;;
	002) echo "flink_name flink_close" ;;
	004) echo "flink-and-exit" ;;
	esac
}

# run_all LABEL EXPECTED_FAILING [SERVER ARGS...]: every sequence on a new
# model; exactly those in EXPECTED_FAILING must fail.
run_all() {
	label=$1 failing=$2
	shift 2
	model_start "$out/$label" "$@"
	for s in $SEQUENCES; do
		set +e
		line=$(model_env build/tests/gs-model-igt "$s" "$mdir/debugfs" 2> "$mdir/$s.err")
		rc=$?
		set -e
		echo "$label: $line (exit $rc)"
		[ $rc -le 1 ] || { cat "$mdir/$s.err"; fail "$label: $s could not run (exit $rc)"; }
		case " $failing " in
		*" $s "*) [ $rc = 1 ] || fail "$label: $s passed, but it targets this fix" ;;
		*) [ $rc = 0 ] || fail "$label: $s failed" ;;
		esac
	done
	model_stop
}

for i in $(seq "$RUNS"); do
	run_all "all-fixes-run$i" ""
done
for seed in 000 001 002 004; do
	for i in $(seq "$RUNS"); do
		run_all "without-$seed-run$i" "$(targets $seed)" --without-fix $seed
	done
done
echo "model igt: every sequence passed with every fix in, $RUNS runs; each fix out failed its sequences, $RUNS runs"
