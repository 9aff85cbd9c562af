#!/bin/sh
# gemsoak kernel check on a real tree: the drm parts of Debian's
# linux-source-6.1 (fetched once with apt into build/cache; about 140 MB,
# 10-15 s here from nothing) have every fix of kernel/series, found by source
# signature. Then the same files with one fix's code removed: that fix,
# and only it, is reported missing.
set -eu
. tests/lib.sh
GEMSOAK=$TOP/build/gemsoak
d=$TOP/build/tests/kernel-debian-source
rm -rf "$d"
mkdir -p "$d"
ERR=$d/err

src=$(kernel/fetch-debian-source.sh) || fail "cannot fetch Debian's linux-source-6.1 (apt-get download)"
nfix=$(grep -c '^fix ' kernel/series)

run_rc "$GEMSOAK" kernel check --tree "$src" > "$d/out"
cat "$d/out" "$ERR"
[ $rc = 0 ] || fail "check on Debian's 6.1: exit $rc, expected 0 (every fix present)"
grep -q "^summary: $nfix present, 0 missing, 0 unknown" "$d/out" || fail "summary"
[ "$(grep -c ' present  signature: ' "$d/out")" = "$nfix" ] || fail "every fix must be found by its signature"

# An "old" copy: the same sources, Makefile claiming 3.9, and flink's
# handle_count check (gem-flink-create-race) taken out.
old=$d/old
for f in drivers/gpu/drm/drm_gem.c drivers/gpu/drm/drm_prime.c drivers/gpu/drm/i915/gt/intel_gtt.c; do
	mkdir -p "$old/$(dirname $f)"
	cp "$src/$f" "$old/$f"
done
printf 'VERSION = 3\nPATCHLEVEL = 9\n' > "$old/Makefile"
sed -i '/handle_count == 0/d' "$old/drivers/gpu/drm/drm_gem.c"
run_rc "$GEMSOAK" kernel check --tree "$old" > "$d/out"
cat "$d/out"
[ $rc = 1 ] || fail "check on the altered copy: exit $rc, expected 1"
grep -q "^gem-flink-create-race .* missing  version: tree is 3.9, fix landed in v3.12; signature: drivers/gpu/drm/drm_gem.c drm_gem_flink_ioctl() lacks 'handle_count == 0'" "$d/out" ||
	fail "the removed fix must be missing, by its signature"
grep -q "^summary: $((nfix - 1)) present, 1 missing, 0 unknown" "$d/out" || fail "only that fix may be missing"
echo ok
