#!/bin/sh
# The origins of leaked objects, traced in the real kernel with BPF
# (bpf/origins.bpf.c, sources/origins.c): Debian's 6.1 booted twice with
# drm.ko and vgem.ko rebuilt (kernel/bugs/), prime-share alone at a capped
# rate, and a canary that keeps one of its objects every 40 cycles. With
# seed 000's bug put back, the dma-bufs its PRIME caches keep must be
# alive at the end, at least 100 of them, made by prime-share through the
# PRIME export ioctl (drm_gem_prime_handle_to_fd ... drm_ioctl); the
# control, the stock rebuild, must have fewer than 20 alive from any
# origin at the end, while the canary's kept objects are traced there to
# the canary (so the low count is not a source that saw nothing). The
# tracing is bounded to 500 objects: seed 000's leak reaches the bound,
# which one origins-cap event says; the stock run never does. Both print
# what they saw.
set -eu
. tests/lib.sh
here=$TOP/build/tests/vm-origins
seconds=${ORIGINS_SECONDS:-10}
conf=$TOP/build/tests/vm-origins.conf
mkdir -p "$TOP/build/tests"
cat > "$conf" <<CONF
[daemon]
interval = 1s
trend_window = 10s
origins_objects = 500

[workload prime-share]
objects = 2
rate = 40

[workload canary]
rate = 20
leak_every = 40
CONF

# run VARIANT: gemsoakd for $seconds on that variant's modules; its
# database is $here/VARIANT/gs.db.
run() {
	GS_VM_INITRD=$TOP/build/vm/initramfs-bugs.cpio.gz GS_VM_APPEND="gs.modules=$1" \
		vm_run_daemon "$conf" "$seconds" "$here/$1" > "$here-$1.log" 2>&1 ||
		{ cat "$here-$1.log"; fail "$1: the VM run failed"; }
	grep -i 'origins\|bpf' "$here/$1/job.log" || true
	[ "$(cat "$here/$1/gemsoakd.status")" = 0 ] || fail "$1: gemsoakd exited $(cat "$here/$1/gemsoakd.status")"
	db=$here/$1/gs.db
	unavailable=$(sql "$db" "select message from events where kind = 'source-unavailable' and message like 'origins%'")
	[ -z "$unavailable" ] || fail "$1: $unavailable"
	ready=$(sql "$db" "select count(*) || ' ' || coalesce(max(message), '') from events where kind = 'origins-ready'")
	echo "$1: origins-ready: $ready"
	[ "${ready%% *}" = 1 ] || fail "$1: ${ready%% *} origins-ready events, expected 1"
	echo "--- $1: origins at the end ---"
	sqlite3 -box "$db" "select kind, workload, comm, alive, alive_bytes, replace(stack, char(10), ' <- ') as stack
		from origins where alive > 0 order by alive desc limit 10"
}
rm -rf "$here"
mkdir -p "$here"
run 000
run stock

# The PRIME export's stack, from the ioctl: dma_buf_export is hooked at
# its entry, the frames below it are the exporter's path.
prime="stack like '%drm_gem_prime_handle_to_fd%' and stack like '%drm_ioctl%'"
kept=$(sql "$here/000/gs.db" "select coalesce(sum(alive), 0) from origins
	where kind = 'dma-buf' and workload = 'prime-share' and $prime")
other=$(sql "$here/000/gs.db" "select coalesce(sum(alive), 0) from origins
	where kind = 'dma-buf' and not (workload = 'prime-share' and $prime)")
echo "seed 000: $kept dma-bufs alive made by prime-share through its PRIME export; $other from elsewhere"
[ "$kept" -ge 100 ] || fail "seed 000: $kept dma-bufs alive from prime-share's PRIME export, expected at least 100"
EXPECT_DIR=$here
expect 0 '^dma-buf +prime-share +gs:prime-share +[0-9]+ +[0-9]+ +dma_buf_export ← .*drm_gem_prime_handle_to_fd ← .*drm_ioctl' \
	"$TOP/build/gemsoak" origins -D "$here/000/gs.db" --kind dma-buf --workload prime-share
cat "$here/out"
"$TOP/build/gemsoak" report -D "$here/000/gs.db" --out "$here/000/report.html" > /dev/null
grep -q '<td>dma_buf_export ← drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd' "$here/000/report.html" ||
	fail "seed 000: the report has no origins section naming the PRIME export"

cap=$(sql "$here/000/gs.db" "select count(*) || '|' || group_concat(message) from events where kind = 'origins-cap'")
echo "seed 000: origins-cap events: $cap"
[ "${cap%%|*}" = 1 ] || fail "seed 000: the bound of 500 traced objects not said once ($cap)"

most=$(sql "$here/stock/gs.db" "select coalesce(max(alive), 0) from origins")
canary=$(sql "$here/stock/gs.db" "select coalesce(sum(alive), 0) from origins
	where kind = 'gem' and workload = 'canary' and stack like '%drm_gem_object_init%' and stack like '%drm_ioctl%'")
cycles=$(sql "$here/stock/gs.db" "select $(series workload.canary.cycles 'max(s.value)')")
echo "stock: at most $most alive from one origin at the end; the canary's $canary GEM objects (${cycles%.*} cycles, one kept in 40) traced to it"
[ "$most" -lt 20 ] || fail "stock: $most objects alive from one origin at the end, expected fewer than 20"
[ "$canary" -ge 1 ] || fail "stock: none of the canary's kept objects traced to it (the control saw nothing)"
assert_sql "$here/stock/gs.db" "select count(*) from events where kind = 'origins-cap'" 0 "stock: the bound reached"
echo ok
