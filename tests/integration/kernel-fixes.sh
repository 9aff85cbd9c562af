#!/bin/sh
# gemsoak kernel check/apply on git trees built here: an "upstream" whose
# history has commits shaped like the fixes, and "old forks" without them.
# Covers every apply route (cherry-pick -x, format-patch from --upstream,
# the shipped patch file of seed 001), --dry-run, idempotence, conflicts
# (cherry-pick and am) that leave the tree exactly as it was, and the
# error exits; `make -C kernel check KSRC=` too.
set -eu
. tests/lib.sh
GEMSOAK=$TOP/build/gemsoak
PATCH=$TOP/kernel/patches/0001-drm-prime-proper-locking-refcounting-for-obj-dma_buf.patch
d=$TOP/build/tests/kernel-fixes
rm -rf "$d"
mkdir -p "$d"
ERR=$d/err
export GIT_AUTHOR_NAME=gemsoak-test GIT_AUTHOR_EMAIL=test@gemsoak.invalid
export GIT_COMMITTER_NAME=gemsoak-test GIT_COMMITTER_EMAIL=test@gemsoak.invalid
export GIT_CONFIG_NOSYSTEM=1 HOME="$d"

gg() { dir=$1; shift; git -C "$dir" "$@"; }
commit_all() { gg "$1" add -A && gg "$1" commit -qm "$2"; }

# preimage PATCH DIR: write into DIR the files PATCH applies to, made of
# its context and removed lines (a filler line between hunks).
preimage() {
	awk -v dir="$2" '
	/^diff --git a\// { file = dir "/" substr($3, 3); system("mkdir -p \"$(dirname " file ")\""); printf "" > file; next }
	/^@@ / { split($2, o, ","); split($3, n, ","); old = o[2]; new = n[2]; print "/* filler */" >> file; next }
	old > 0 || new > 0 {
		c = substr($0, 1, 1)
		if (c == "+") { new--; next }
		line = substr($0, 2)
		if (c == "-") { old--; print line >> file; next }
		old--; new--; print line >> file
	}' "$1"
}

# --- upstream: base (3.9-like, seed 001's preimage plus small fake functions), then three fixes
up=$d/upstream
mkdir -p "$up"
git init -q -b main "$up"
preimage "$PATCH" "$up"
printf 'VERSION = 3\nPATCHLEVEL = 9\nSUBLEVEL = 0\n' > "$up/Makefile"
cat >> "$up/drivers/gpu/drm/drm_gem.c" <<'C'

int fake_flink(struct obj *obj)
{
	return fake_name(obj);
}

int fake_open(struct obj *obj)
{
	return fake_handle_create(obj);
}
C
mkdir -p "$up/drivers/gpu/drm/i915"
cat > "$up/drivers/gpu/drm/i915/i915_gem_context.c" <<'C'
void fake_context_free(struct ctx *ctx)
{
	fake_ppgtt_put(ctx);
}
C
commit_all "$up" "base"
base=$(gg "$up" rev-parse HEAD)
sed -i 's/^\treturn fake_name(obj);/\tif (obj->handle_count == 0)\n\t\treturn -ENOENT;\n\treturn fake_name(obj);/' "$up/drivers/gpu/drm/drm_gem.c"
commit_all "$up" "drm/gem: fake flink create race fix"
sed -i 's/^\treturn fake_handle_create(obj);/\treturn fake_handle_create_tail(obj);/' "$up/drivers/gpu/drm/drm_gem.c"
commit_all "$up" "drm/gem: fake gem_open race fix"
sed -i 's/^\tfake_ppgtt_put(ctx);/\tfake_context_clean(ctx);\n\tfake_ppgtt_put(ctx);/' "$up/drivers/gpu/drm/i915/i915_gem_context.c"
commit_all "$up" "drm/i915: fake context VMA cleanup"
id_flink=$(gg "$up" rev-parse HEAD~2) id_open=$(gg "$up" rev-parse HEAD~1) id_vma=$(gg "$up" rev-parse HEAD)

series=$d/series
cat > "$series" <<S
# test series: three fixes in the fake upstream, one only as a patch file
fix flink-race
	commit    $id_flink
	subject   drm/gem: fake flink create race fix
	release   v3.12
	files     drivers/gpu/drm/drm_gem.c
	workload  flink-share
	signature drivers/gpu/drm/drm_gem.c fake_flink handle_count == 0
fix open-race
	commit    $id_open
	subject   drm/gem: fake gem_open race fix
	release   v3.12
	files     drivers/gpu/drm/drm_gem.c
	requires  flink-race
	workload  flink-share
	signature drivers/gpu/drm/drm_gem.c fake_open fake_handle_create_tail(
fix prime-link
	commit    319c933c71f3dbdb2b3274d1634d3494c70efa06
	subject   drm/prime: proper locking+refcounting for obj->dma_buf link
	release   v3.12
	files     drivers/gpu/drm/drm_prime.c drivers/gpu/drm/drm_gem.c
	workload  prime-self-import
	patch     $PATCH
	signature drivers/gpu/drm/drm_prime.c export_and_register_object handle_count == 0
fix vma-cleanup
	commit    $id_vma
	subject   drm/i915: fake context VMA cleanup
	release   v4.4
	files     drivers/gpu/drm/i915/i915_gem_context.c
	workload  ppgtt-flink-exit
	signature drivers/gpu/drm/i915/i915_gem_context.c fake_context_free fake_context_clean(
S

check() { run_rc "$GEMSOAK" kernel check --series "$series" --tree "$@"; }
apply() { run_rc "$GEMSOAK" kernel apply --series "$series" --tree "$@"; }
# fork NAME: a repository holding only the base tree (no upstream objects).
fork() {
	mkdir -p "$d/$1"
	gg "$up" archive "$base" | tar -x -C "$d/$1"
	git init -q -b main "$d/$1"
	commit_all "$d/$1" "old fork"
}
# same_tree DIR HEAD: HEAD unchanged, nothing modified or left mid-operation.
same_tree() {
	[ "$(gg "$1" rev-parse HEAD)" = "$2" ] || fail "$1: HEAD moved"
	[ -z "$(gg "$1" status --porcelain)" ] || fail "$1: tree changed: $(gg "$1" status --porcelain)"
	[ ! -e "$1/.git/CHERRY_PICK_HEAD" ] && [ ! -d "$1/.git/rebase-apply" ] || fail "$1: left mid cherry-pick/am"
}

echo "--- the upstream has every fix in its history, except the patch-only one"
check "$up" > "$d/out"; cat "$d/out"
[ $rc = 1 ] || fail "check upstream: exit $rc, expected 1"
grep -q "^flink-race .* present  git: ${id_flink%????????????????????????????} is in HEAD's history" "$d/out" || fail "check upstream: flink-race not found by git history"
grep -q "^prime-link .* missing  version: tree is 3.9, fix landed in v3.12; signature: drivers/gpu/drm/drm_prime.c has no function export_and_register_object()" "$d/out" ||
	fail "check upstream: prime-link should be missing by version and signature"
grep -q "^summary: 3 present, 1 missing, 0 unknown" "$d/out" || fail "check upstream: summary"

echo "--- route 1: cherry-pick -x (the fork fetched upstream) + route 3: the patch file"
fork pick
gg "$d/pick" fetch -q "$up" main:refs/remotes/upstream/main
check "$d/pick" > "$d/out"; cat "$d/out"
[ $rc = 1 ] || fail "check old fork: exit $rc"
grep -q "^summary: 0 present, 4 missing, 0 unknown" "$d/out" || fail "check old fork: every fix should be missing"
grep -q "^open-race .* missing  version: tree is 3.9, fix landed in v3.12; signature: drivers/gpu/drm/drm_gem.c fake_open() lacks 'fake_handle_create_tail('" "$d/out" ||
	fail "check old fork: open-race should say which signature is lacking"
head0=$(gg "$d/pick" rev-parse HEAD)

apply "$d/pick" --dry-run > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "dry run: exit $rc"
grep -q "^  flink-race  *would apply git cherry-pick -x ${id_flink%????????????????????????????}" "$d/out" || fail "dry run: flink-race route"
grep -q "^  prime-link  *would apply git am -3 $PATCH" "$d/out" || fail "dry run: prime-link route"
same_tree "$d/pick" "$head0"

apply "$d/pick" > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "apply (cherry-pick + patch): exit $rc"
[ "$(gg "$d/pick" rev-list --count "$head0"..HEAD)" = 4 ] || fail "apply: expected 4 new commits"
gg "$d/pick" log --format=%B -n 1 HEAD~1 | grep -q "^drm/prime: proper locking+refcounting for obj->dma_buf link" || fail "the patch file's commit"
gg "$d/pick" log --format=%B -n 1 HEAD | grep -q "(cherry picked from commit $id_vma)" || fail "cherry-pick without -x"
[ -z "$(gg "$d/pick" status --porcelain)" ] || fail "apply left changes"
check "$d/pick" > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "check after apply: exit $rc"
grep -q "^vma-cleanup .* present  git: commit [0-9a-f]* in HEAD's history names ${id_vma%????????????????????????????}" "$d/out" || fail "cherry-picked fix not found by its -x line"
grep -q "^prime-link .* present  signature: drivers/gpu/drm/drm_prime.c export_and_register_object() has 'handle_count == 0'" "$d/out" || fail "patched fix not found by signature"

echo "--- idempotence: a second apply changes nothing"
head1=$(gg "$d/pick" rev-parse HEAD)
apply "$d/pick" > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "second apply: exit $rc"
grep -q "^result: 0 applied, 4 already present, 0 missing" "$d/out" || fail "second apply: summary"
same_tree "$d/pick" "$head1"

echo "--- route 2: format-patch from --upstream, git am -3"
fork am
head0=$(gg "$d/am" rev-parse HEAD)
apply "$d/am" > "$d/out"; cat "$d/out"
[ $rc = 1 ] || fail "apply without a source: exit $rc, expected 1 (missing)"
grep -q "^  flink-race  *missing     no source: the tree's repository lacks ${id_flink%????????????????????????????}; give --upstream GITDIR" "$d/out" || fail "no-source message"
grep -q "^  open-race  *missing     blocked: needs flink-race, which is missing" "$d/out" || fail "requires not honoured"
grep -q "^result: 1 applied, 0 already present, 3 missing" "$d/out" || fail "partial apply summary"
gg "$d/am" reset -q --hard "$head0"
apply "$d/am" --upstream "$up" > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "apply --upstream: exit $rc"
grep -q "^  open-race  *applied     git format-patch ${id_open%????????????????????????????} from $up | git am -3" "$d/out" || fail "upstream route"
check "$d/am" > "$d/out"
[ $rc = 0 ] || fail "check after apply --upstream: exit $rc"
[ "$(gg "$d/am" log --format=%s -n 1 HEAD)" = "drm/i915: fake context VMA cleanup" ] || fail "am kept the subject"

fork am-bare
git clone -q --bare "$up" "$d/upstream.git"
apply "$d/am-bare" --upstream "$d/upstream.git" > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "apply --upstream with a bare clone: exit $rc"

echo "--- a conflict (cherry-pick): stops, names fix and file, tree as it was"
fork clash
sed -i 's/^\treturn fake_handle_create(obj);/\treturn fake_handle_create(obj) + local_tweak;/' "$d/clash/drivers/gpu/drm/drm_gem.c"
commit_all "$d/clash" "local change"
gg "$d/clash" fetch -q "$up" main:refs/remotes/upstream/main
head0=$(gg "$d/clash" rev-parse HEAD)
apply "$d/clash" > "$d/out"; cat "$d/out" "$ERR"
[ $rc = 2 ] || fail "conflict: exit $rc, expected 2"
grep -q "fix open-race (${id_open%????????????????????????????} \"drm/gem: fake gem_open race fix\") does not apply to $d/clash: conflict in drivers/gpu/drm/drm_gem.c; git cherry-pick --abort" "$ERR" ||
	fail "conflict message must name the fix and the file"
same_tree "$d/clash" "$head0"

echo "--- a conflict (git am from upstream)"
fork clash2
sed -i 's/^\treturn fake_handle_create(obj);/\treturn fake_handle_create(obj) + local_tweak;/' "$d/clash2/drivers/gpu/drm/drm_gem.c"
commit_all "$d/clash2" "local change"
head0=$(gg "$d/clash2" rev-parse HEAD)
apply "$d/clash2" --upstream "$up" > "$d/out"; cat "$d/out" "$ERR"
[ $rc = 2 ] || fail "am conflict: exit $rc, expected 2"
grep -q "fix open-race .*conflict in drivers/gpu/drm/drm_gem.c.*; git am --abort" "$ERR" || fail "am conflict message"
same_tree "$d/clash2" "$head0"

echo "--- errors: dirty tree, not a git tree, bad series, no tree"
echo "/* local edit */" >> "$d/clash2/drivers/gpu/drm/drm_gem.c"
apply "$d/clash2" --upstream "$up" > "$d/out"
[ $rc = 2 ] || fail "dirty tree: exit $rc"
grep -q "has uncommitted changes" "$ERR" || fail "dirty tree message"
mkdir -p "$d/plain"
gg "$up" archive "$base" | tar -x -C "$d/plain"
apply "$d/plain" > "$d/out"
[ $rc = 2 ] || fail "plain tree apply: exit $rc"
grep -q "$d/plain is not the top of a git work tree" "$ERR" || fail "plain tree message"
check "$d/plain" > "$d/out"
[ $rc = 1 ] || fail "plain tree check: exit $rc"
printf 'fix a\n\tcommit 12345\n' > "$d/bad-series"
run_rc "$GEMSOAK" kernel check --series "$d/bad-series" --tree "$up"
[ $rc = 2 ] || fail "bad series: exit $rc"
grep -q "$d/bad-series:2: commit: '12345' is not a lower-case commit id" "$ERR" || fail "bad series message: $(cat "$ERR")"
check "$d/nonexistent" > "$d/out"
[ $rc = 2 ] || fail "missing tree: exit $rc"
grep -q "$d/nonexistent: cannot use as a kernel tree: No such file or directory" "$ERR" || fail "missing tree message"
run_rc "$GEMSOAK" kernel check
[ $rc = 2 ] || fail "no --tree/--running: exit $rc"

echo "--- git messages: a stable backport counts; a revert or a Fixes: line does not"
fork msgs
echo "/* backported */" >> "$d/msgs/drivers/gpu/drm/i915/i915_gem_context.c"
gg "$d/msgs" commit -qam "drm/i915: fake context VMA cleanup

commit $id_vma upstream."
echo "# touched" >> "$d/msgs/Makefile"
gg "$d/msgs" commit -qam "Revert \"drm/gem: fake gem_open race fix\"

This reverts commit $id_open.
Fixes: ${id_flink%????????????????????????????} (\"drm/gem: fake flink create race fix\")"
check "$d/msgs" > "$d/out"; cat "$d/out"
grep -q "^vma-cleanup .* present  git: commit [0-9a-f]* in HEAD's history names" "$d/out" || fail "stable backport line not recognised"
grep -q "^open-race .* missing  version" "$d/out" || fail "a revert message must not count as the fix"
grep -q "^flink-race .* missing  version" "$d/out" || fail "a Fixes: line must not count as the fix"

echo "--- no sources: the Makefile's version decides; nothing at all: unknown"
mkdir -p "$d/new" "$d/empty"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n' > "$d/new/Makefile"
check "$d/new" > "$d/out"; cat "$d/out"
[ $rc = 0 ] || fail "a 6.1 Makefile: exit $rc"
grep -q "^vma-cleanup .* present  version: tree is 6.1, fix landed in v4.4; no signature file" "$d/out" || fail "present by version"
check "$d/empty" > "$d/out"; cat "$d/out"
[ $rc = 1 ] || fail "an empty tree: exit $rc"
grep -q "^summary: 0 present, 0 missing, 4 unknown" "$d/out" || fail "an empty tree: every fix unknown"

echo "--- the shipped series parses; make -C kernel check KSRC="
"$GEMSOAK" kernel check --running > "$d/out" || [ $? = 1 ] || fail "check --running"
cat "$d/out"
[ "$(grep -c ' release: running ' "$d/out")" = "$(grep -c '^fix ' kernel/series)" ] || fail "--running: one line per fix"
run_rc make -s -C kernel check KSRC="$d/pick" SERIES="$series"
[ $rc = 0 ] || fail "make -C kernel check on the fixed fork: exit $rc"
run_rc make -s -C kernel check KSRC="$d/am" SERIES="$series" > "$d/out"
[ $rc = 0 ] || fail "make -C kernel check on the other fixed fork: exit $rc"
run_rc make -s -C kernel check KSRC="$d/clash" SERIES="$series" > "$d/out"
[ $rc != 0 ] || fail "make -C kernel check must fail on a fork that lacks fixes"
echo ok
