#!/bin/sh
# Real kernel: `gemsoak kernel check --running --behaviour` on Debian's 6.1
# with vgem. The release says every fix is there; the probes race flink
# and PRIME export against GEM_CLOSE, GEM_OPEN against it, and export and
# close on one open file, for 2 s each, and must find the counters back
# where they started (0 leaked, no name changed), having really raced.
# Then the same with gemsoakd's canary workload leaking flink names
# meanwhile: the flink probe must see the growth and call the fix missing.
set -eu
. tests/lib.sh
out=$TOP/build/tests/vm-kernel-behaviour
rm -rf "$out"
mkdir -p "$out"
cp "$TOP/build/gemsoak" "$TOP/kernel/series" "$out/"
printf '[daemon]\ninterval = 2s\n\n[workload canary]\nproducers = 2\nconsumers = 2\nleak_every = 5\n' > "$out/canary.conf"
cat > "$out/job.sh" <<'JOB'
#!/bin/sh
/mnt/share/gemsoak kernel check --running --behaviour --seconds 2 --series /mnt/share/series > /mnt/share/check.out 2>&1
echo $? > /mnt/share/check.status
# a series naming a probe that does not exist: FILE:LINE, exit 2
sed 's/probe     flink-close-race/probe     no-such-race/' /mnt/share/series > /tmp/bad-series
/mnt/share/gemsoak kernel check --running --behaviour --series /tmp/bad-series > /mnt/share/bad.out 2>&1
echo $? > /mnt/share/bad.status
gemsoakd -c /mnt/share/canary.conf --database /tmp/gs.db --duration 30s &
daemon=$!
sleep 3
/mnt/share/gemsoak kernel check --running --behaviour --seconds 2 --series /mnt/share/series > /mnt/share/leak.out 2>&1
echo $? > /mnt/share/leak.status
kill $daemon
wait $daemon
JOB
vm_boot "$out" 120
cat "$out/job.log" "$out/check.out" "$out/bad.out"
[ "$(cat "$out/check.status")" = 0 ] || fail "check --running --behaviour: exit $(cat "$out/check.status"), expected 0"
nfix=$(grep -c '^fix ' kernel/series)
grep -q "^summary: $nfix present, 0 missing, 0 unknown" "$out/check.out" || fail "summary"
for probe in flink-close-race export-close-race prime-cache-release flink-name-race; do
	line=$(grep -m 1 "behaviour: $probe on /dev/dri/card[0-9]* (vgem), [0-9]* threads: [0-9]* cycles, 0 more " "$out/check.out") ||
		fail "$probe did not run, or found a leak"
	cycles=$(echo "$line" | sed 's/.*threads: \([0-9]*\) cycles.*/\1/')
	[ "$cycles" -ge 1000 ] || fail "$probe raced only $cycles cycles"
done
[ "$(grep -c 'behaviour: ' "$out/check.out")" = "$(grep -c '^	probe ' kernel/series)" ] || fail "one behaviour note per fix with a probe"
[ "$(cat "$out/bad.status")" = 2 ] || fail "unknown probe: exit $(cat "$out/bad.status"), expected 2"
grep -q "/tmp/bad-series:[0-9]*: probe: no probe called 'no-such-race'" "$out/bad.out" || fail "unknown probe message"

cat "$out/leak.out"
[ "$(cat "$out/leak.status")" = 1 ] || fail "with a leak going on: exit $(cat "$out/leak.status"), expected 1"
grep -q "^gem-flink-create-race .* missing  behaviour: flink-close-race on /dev/dri/card[0-9]* (vgem), 4 threads: [0-9]* cycles, [1-9][0-9]* more flink names (gem_names); release: running " "$out/leak.out" ||
	fail "the flink probe must report the growing names as missing"
grep -q "^summary: $((nfix - 1)) present, 1 missing, 0 unknown" "$out/leak.out" || fail "only the flink fix is affected"
echo ok
