#!/bin/sh
# gemsoak for Prometheus, end to end:
# - the textfile `gemsoak export` writes passes `promtool check metrics`;
# - a finding's origin is a label of gemsoak_finding_info where the run
#   traced it, and absent where it did not;
# - the shipped rules pass their `promtool test rules` cases, and a rule
#   made wrong fails them (a stale-sample threshold; a leak alerted per
#   metric beside its finding's alert; a finding's alert that leaves out
#   where its objects were made);
# - the dashboard parses, and every series its expressions name exists;
# - make install puts the export unit and timer in place, clean for
#   `systemd-analyze verify`, and its ExecStart writes the textfile;
# - live: gemsoakd runs on the kernel model twice at once, seed 004's fix
#   left out (i915 VMAs leak) and in (the negative control); `export
#   --every 1s` writes each run's textfile, a real node_exporter serves each,
#   a real Prometheus (loopback, scrape interval 1 s, the shipped rules)
#   scrapes both, and the verdicts are read over its HTTP API; the leak
#   gives a GemsoakFinding alert for the VMAs and no GemsoakKernelLeak
#   beside it.
set -eu
. tests/lib.sh
. tests/model/lib.sh
for t in promtool prometheus prometheus-node-exporter curl jq python3; do
	command -v $t > /dev/null || { echo "$t is not installed (tools/packages.txt)"; exit 77; }
done
d=$TOP/build/tests/prometheus
rm -rf "$d"
mkdir -p "$d"
GS=$TOP/build/gemsoak
make -s model

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	model_pid=
}
trap cleanup EXIT

# ---- the textfile of a database with two runs: promtool's lint ----
build/gemsoak-synth --db "$d/synth.db" --preset demo --host lab-a > /dev/null
mkdir -p "$d/synth"
$GS export -D "$d/synth.db" --prometheus "$d/synth" > /dev/null
promtool check metrics < "$d/synth/gemsoak.prom" > "$d/lint.out" 2>&1 || { cat "$d/lint.out"; fail "promtool check metrics (synthetic run)"; }
echo "ok: promtool check metrics: $(grep -c '^# TYPE' "$d/synth/gemsoak.prom") families, $(grep -vc '^#' "$d/synth/gemsoak.prom") series, clean"

# ---- names the mapping must take apart: a workload whose name holds a dot
# (and one that prefixes it), its ioctl errors and a ms gauge, a framebuffer
# owner, label values to escape, and two metrics that map to one series ----
cp "$d/synth.db" "$d/names.db"
sql "$d/names.db" "update runs set hostname = 'lab \"b\" \\ 2' where id = 2;
	insert into metrics (name, unit) values ('workload.a.b.cycles', 'cycles'), ('workload.a.cycles', 'cycles'),
		('workload.a.b.errors.GEM_OPEN.ENOENT', 'count'), ('workload.a.b.ready_ms', 'ms'),
		('drm.framebuffers.by.X\"org', 'count'), ('x.used_kb', 'kB'), ('x.used_bytes', 'bytes');
	insert into samples (metric_id, tick_id, value) select m.id, (select max(id) from ticks where run_id = 2),
		case m.unit when 'kB' then 3 when 'ms' then 1500 else 7 end
	from metrics m where m.id > 4"
mkdir -p "$d/names"
ERR=$d/names.err run_rc "$GS" export -D "$d/names.db" --prometheus "$d/names"
[ $rc = 0 ] || fail "export of the odd names: exit $rc, $(cat "$d/names.err")"
promtool check metrics < "$d/names/gemsoak.prom" > "$d/lint-names.out" 2>&1 || { cat "$d/lint-names.out"; fail "promtool check metrics (odd names)"; }
h='host="lab \"b\" \\ 2",run="2"'
for want in "gemsoak_workload_cycles_total{$h,workload=\"a.b\"} 7" "gemsoak_workload_cycles_total{$h,workload=\"a\"} 7" \
	"gemsoak_workload_ioctl_errors_total{$h,workload=\"a.b\",ioctl=\"GEM_OPEN\",errno=\"ENOENT\"} 7" \
	"gemsoak_workload_ready_seconds{$h,workload=\"a.b\"} 1.5" "gemsoak_drm_framebuffers_by_owner{$h,owner=\"X\\\"org\"} 7" \
	"gemsoak_x_used_bytes{$h} 7" "gemsoak_verdict{$h,metric=\"x.used_kb\",scope=\"kernel\",verdict=\"insufficient-data\"} 1"; do
	grep -qxF "$want" "$d/names/gemsoak.prom" || { grep -F 'a.b' "$d/names/gemsoak.prom"; fail "export: no line '$want'"; }
done
[ "$(grep -c '^gemsoak_x_used_bytes' "$d/names/gemsoak.prom")" = 1 ] || fail "export: x.used_kb and x.used_bytes both written as one series"
grep -q 'gemsoak_x_used_bytes{.*}: two metrics map to this series; the second is left out' "$d/names.err" ||
	fail "export: the collision is not said: $(cat "$d/names.err")"
echo "ok: odd names: dotted workloads, ioctl errors, ms as seconds, owners, escaped labels; a collision said: $(cat "$d/names.err")"

# ---- a finding's origin: synth's leaking run 1 alone (its fixed run 2
# removed, so that it is the newest), exported untraced, then with the
# canary's GEM objects traced: the label origin only on the second ----
cp "$d/synth.db" "$d/leak1.db"
sql "$d/leak1.db" "delete from samples where tick_id in (select id from ticks where run_id = 2)"
for t in $(sql "$d/leak1.db" "select m.name from sqlite_master m, pragma_table_info(m.name) p
	where m.type = 'table' and p.name = 'run_id'"); do
	sql "$d/leak1.db" "delete from $t where run_id = 2"
done
sql "$d/leak1.db" "delete from runs where id = 2"
cp "$d/leak1.db" "$d/traced.db"
trace_canary "$d/traced.db" 1
for name in leak1 traced; do
	mkdir -p "$d/$name"
	$GS export -D "$d/$name.db" --prometheus "$d/$name" > /dev/null || fail "export of $name.db: exit $?"
	promtool check metrics < "$d/$name/gemsoak.prom" > "$d/lint-$name.out" 2>&1 ||
		{ cat "$d/lint-$name.out"; fail "promtool check metrics ($name.db)"; }
done
grep '^gemsoak_finding_info{' "$d/leak1/gemsoak.prom" | grep -q 'lead_metric="gem.flink_names"' ||
	fail "leak1.db: no finding exported"
! grep -q '^gemsoak_finding_info{.*origin=' "$d/leak1/gemsoak.prom" ||
	fail "leak1.db: an origin exported where none was traced: $(grep '^gemsoak_finding_info' "$d/leak1/gemsoak.prom")"
origin=$(sed -n 's/^gemsoak_finding_info{.*,origin="\([^"]*\)",.*/\1/p' "$d/traced/gemsoak.prom")
[ "$origin" = 'made at drm_gem_object_init ← __drm_gem_shmem_create ← drm_gem_shmem_dumb_create ← drm_ioctl' ] ||
	fail "traced.db: the finding's origin label is '$origin': $(grep '^gemsoak_finding_info' "$d/traced/gemsoak.prom")"
echo "ok: gemsoak_finding_info: no origin label untraced; traced: origin=\"$origin\""

# ---- the rules' unit tests, and a rule made wrong must fail them ----
promtool test rules prometheus/gemsoak-rules.test.yml > "$d/rules.out" 2>&1 || { cat "$d/rules.out"; fail "promtool test rules"; }
mkdir -p "$d/broken"
sed 's/> 300$/> 3000/' prometheus/gemsoak-rules.yml > "$d/broken/gemsoak-rules.yml"
cp prometheus/gemsoak-rules.test.yml "$d/broken/"
! cmp -s prometheus/gemsoak-rules.yml "$d/broken/gemsoak-rules.yml" || fail "the stale-sample rule was not altered"
! promtool test rules "$d/broken/gemsoak-rules.test.yml" > "$d/broken.out" 2>&1 || fail "promtool test rules passes a wrong rule"
grep -q 'GemsoakSamplesStale' "$d/broken.out" || fail "the wrong rule's failure does not name it: $(cat "$d/broken.out")"
sed '/unless on (job, instance, host, run) gemsoak_findings > 0/d' prometheus/gemsoak-rules.yml > "$d/broken/gemsoak-rules.yml"
! cmp -s prometheus/gemsoak-rules.yml "$d/broken/gemsoak-rules.yml" || fail "the per-metric leak rule was not altered"
! promtool test rules "$d/broken/gemsoak-rules.test.yml" > "$d/broken.out" 2>&1 || fail "promtool test rules passes a double alert"
grep -q 'GemsoakKernelLeak' "$d/broken.out" || fail "the double alert's failure does not name it: $(cat "$d/broken.out")"
sed 's/{{ with . | first | label "origin" }}Its objects were {{ . }}. {{ end }}//' prometheus/gemsoak-rules.yml > "$d/broken/gemsoak-rules.yml"
! cmp -s prometheus/gemsoak-rules.yml "$d/broken/gemsoak-rules.yml" || fail "the finding's origin was not taken out of its alert"
! promtool test rules "$d/broken/gemsoak-rules.test.yml" > "$d/broken.out" 2>&1 || fail "promtool test rules passes an alert without its origin"
grep -q 'GemsoakFinding' "$d/broken.out" || fail "the missing origin's failure does not name it: $(cat "$d/broken.out")"
echo "ok: promtool test rules: $(grep -c 'alertname:' prometheus/gemsoak-rules.test.yml) alert cases pass; a wrong stale threshold" \
	"fails them, and so do a leak alerted per metric beside its finding and a finding's alert without its origin"

# ---- the dashboard parses ----
jq -e '.panels | length > 0' prometheus/gemsoak-dashboard.json > /dev/null || fail "the dashboard does not parse or has no panel"
jq -r '.panels[].targets[].expr' prometheus/gemsoak-dashboard.json > "$d/dash-exprs"
grep -o 'gemsoak[a-z0-9_:]*' "$d/dash-exprs" | sort -u > "$d/dash-names"

# ---- make install: the export unit and timer ----
dest=$d/root
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
make -s install DESTDIR="$dest" PREFIX=/usr PROM_TEXTFILE_DIR="$d/installed-textfile" > "$d/install.log" 2>&1 ||
	{ cat "$d/install.log"; fail "make install"; }
for f in "$unitdir/gemsoak-export.service" "$unitdir/gemsoak-export.timer" \
	/usr/share/gemsoak/prometheus/gemsoak-rules.yml /usr/share/gemsoak/prometheus/gemsoak-dashboard.json; do
	[ -f "$dest$f" ] || fail "make install did not install $f"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$dest$unitdir/gemsoak-export.service")
[ "$exec_start" = "/usr/bin/gemsoak export --prometheus $d/installed-textfile" ] || fail "the export unit runs '$exec_start'"
sed "s|^ExecStart=/usr/bin/|ExecStart=$dest/usr/bin/|" "$dest$unitdir/gemsoak-export.service" > "$d/gemsoak-export.service"
cp "$dest$unitdir/gemsoak-export.timer" "$d/"
ERR=$d/verify.err MANPATH=$dest/usr/share/man run_rc systemd-analyze verify "$d/gemsoak-export.service" "$d/gemsoak-export.timer"
[ $rc = 0 ] && [ ! -s "$d/verify.err" ] || { cat "$d/verify.err"; fail "systemd-analyze verify of the export unit and timer"; }
systemd-analyze security --offline=true --root="$dest" "$unitdir/gemsoak-export.service" > "$d/security.out" 2>&1 ||
	{ cat "$d/security.out"; fail "systemd-analyze security failed"; }
exposure=$(sed -n 's/.*Overall exposure level for gemsoak-export.service: \([0-9.]*\).*/\1/p' "$d/security.out")
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' || { grep '✗' "$d/security.out"; fail "export unit: exposure '$exposure' is above 2.0"; }
# What the timer runs, as it runs it (the installed binary, the database named here).
mkdir -p "$d/installed-textfile"
# shellcheck disable=SC2086 # ExecStart= is a command line: split into its words on purpose
$dest$exec_start -D "$d/synth.db" > /dev/null || fail "the unit's ExecStart failed"
cmp -s "$d/installed-textfile/gemsoak.prom" "$d/synth/gemsoak.prom" || fail "the unit's ExecStart wrote another file"
echo "ok: make install: export unit (exposure $exposure) and timer verified; ExecStart writes $(grep -vc '^#' "$d/installed-textfile/gemsoak.prom") series"

# ---- live: two runs on the kernel model, node_exporter, Prometheus ----
# Free loopback ports: leak's node_exporter, clean's, Prometheus.
# shellcheck disable=SC2046 # three port numbers, split on purpose
set -- $(python3 -c 'import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
port_leak=$1 port_clean=$2 port_prom=$3

# run NAME [MODEL ARGS...]: gemsoakd on a new model in $d/NAME for at most
# 5 minutes (stopped when the test has its verdicts).
run() {
	name=$1
	shift
	model_start "$d/$name" "$@"
	pids="$pids $model_pid"
	sed -e "s|@DEVICE@|$d/$name/card0|" -e "s|@DEBUGFS@|$d/$name/debugfs|" tests/model/seed-004.conf > "$d/$name/test.conf"
	# (not through model_env: $! must be the daemon's pid, for SIGTERM)
	GS_MODEL_SOCKET=$mdir/sock GS_MODEL_DEV=$mdir/card0 LD_PRELOAD=$MODEL_SHIM \
		"$GEMSOAKD" -c "$d/$name/test.conf" --database "$d/$name/gs.db" --duration 300s \
		> "$d/$name/daemon.log" 2>&1 &
	eval "daemon_$name=\$!"
	pids="$pids $!"
}
run leak --without-fix 004
run clean

# The thresholds ask for 20 minutes and 6 windows before judging: judge
# these runs with 4 windows of 1 s (the rest of the rule unchanged), as
# model-seeds.sh does, once the daemon has made its database.
for name in leak clean; do
	i=0
	until [ "$(sqlite3 -cmd '.timeout 5000' "$d/$name/gs.db" 'select count(*) from ticks' 2>/dev/null)" -gt 0 ] 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$d/$name/daemon.log"; fail "$name: no sample in the database"; }
		sleep 0.1
	done
	sqlite3 -cmd '.timeout 10000' "$d/$name/gs.db" "update trend_thresholds set min_span_s = 4, min_windows = 4"
	mkdir -p "$d/$name/textfile"
	$GS export -D "$d/$name/gs.db" --prometheus "$d/$name/textfile" --every 1s 2> "$d/$name/export.err" &
	pids="$pids $!"
done
prometheus-node-exporter --web.listen-address="127.0.0.1:$port_leak" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$d/leak/textfile" > "$d/node-leak.log" 2>&1 &
pids="$pids $!"
prometheus-node-exporter --web.listen-address="127.0.0.1:$port_clean" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$d/clean/textfile" > "$d/node-clean.log" 2>&1 &
pids="$pids $!"
cat > "$d/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $TOP/prometheus/gemsoak-rules.yml
scrape_configs:
  - job_name: leak
    static_configs:
      - targets: ['127.0.0.1:$port_leak']
  - job_name: clean
    static_configs:
      - targets: ['127.0.0.1:$port_clean']
EOF
promtool check config "$d/prometheus.yml" > "$d/config.out" 2>&1 || { cat "$d/config.out"; fail "promtool check config"; }
prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/tsdb" \
	--web.listen-address="127.0.0.1:$port_prom" > "$d/prometheus.log" 2>&1 &
pids="$pids $!"

api=http://127.0.0.1:$port_prom/api/v1
# value QUERY: the first sample's value of an instant query ('' when none).
value() {
	curl -sf --max-time 5 "$api/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty' 2>/dev/null || true
}
# await WHAT QUERY EXPECTED: poll (at most 3 minutes) until QUERY gives EXPECTED.
await() {
	i=0
	until [ "$(value "$2")" = "$3" ]; do
		i=$((i + 1))
		if [ $i -ge 360 ]; then
			tail -n 5 "$d/prometheus.log" "$d"/*/daemon.log "$d"/*/export.err
			fail "$1: '$2' gave '$(value "$2")' after 3 minutes, expected '$3'"
		fi
		sleep 0.5
	done
	echo "$1: after $(($(date +%s) - started)) s"
}
started=$(date +%s)
await "both node_exporters scraped" 'count(up == 1)' 2
await "leak: the textfile read" 'node_textfile_scrape_error{job="leak"}' 0
await "leak: the VMA leak judged" 'gemsoak_verdict{job="leak",metric="i915.vmas_ppgtt",verdict="leaking"}' 1
await "clean: the VMAs judged stable" 'gemsoak_verdict{job="clean",metric="i915.vmas_ppgtt",verdict="stable"}' 1
await "leak: the recording rule counts the leak" 'gemsoak:leaking_metrics:count{job="leak"} > bool 0' 1
# (a finding of the host's meminfo alone may come too: not the model's)
await "leak: the VMAs' finding's alert is pending" \
	'count(ALERTS{alertname="GemsoakFinding",job="leak",lead_metric=~"i915[.]vmas.*",alertstate="pending"})' 1
findings=$(curl -sf "$api/query" --data-urlencode 'query=ALERTS{alertname="GemsoakFinding",job="leak"}' |
	jq -r '[.data.result[].metric | .workload + " " + .lead_metric] | join("; ")')
echo "leak: GemsoakFinding pending for: $findings"
[ "$(value 'count(ALERTS{alertname="GemsoakKernelLeak",job="leak"})')" = "" ] ||
	fail "leak: GemsoakKernelLeak alerts beside the finding's alert"

# The state set: exactly one verdict per metric, and the control not leaking.
[ "$(value 'gemsoak_verdict{job="leak",metric="i915.vmas_ppgtt",verdict="stable"}')" = 0 ] || fail "leak: stable is 1 as well"
[ "$(value 'gemsoak_verdict{job="clean",metric="i915.vmas_ppgtt",verdict="leaking"}')" = 0 ] || fail "clean: the VMAs leak"
[ "$(value 'count(sum by (job, metric) (gemsoak_verdict) != 1)')" = "" ] || fail "a metric with no verdict or two"
# What the model keeps (DRM, GEM, dma-buf, i915) must not leak in the
# control; /proc/meminfo is the host's, which other processes move.
model_leaks=$(value 'count(gemsoak_verdict{job="clean",verdict="leaking",metric=~"(i915|gem|dmabuf|drm)[.].*"} == 1)')
[ -z "$model_leaks" ] || fail "clean: $model_leaks model metric(s) leaking"
[ "$(value 'count(ALERTS{alertname="GemsoakKernelLeak",job="clean",metric=~"(i915|gem|dmabuf|drm)[.].*"})')" = "" ] ||
	fail "clean: a leak alert on a model metric"
[ "$(value 'count(ALERTS{alertname="GemsoakFinding",job="clean",lead_metric=~"(i915|gem|dmabuf|drm)[.].*"})')" = "" ] ||
	fail "clean: a finding's alert on a model metric"
leaking_leak=$(value 'gemsoak:leaking_metrics:count{job="leak"}')
leaking_clean=$(value 'gemsoak:leaking_metrics:count{job="clean"}')
names_leaking=$(curl -sf "$api/query" --data-urlencode 'query=gemsoak_verdict{verdict="leaking",scope="kernel"} == 1' |
	jq -r '[.data.result[].metric | .job + ":" + .metric] | join(" ")')
slope_leak=$(value 'gemsoak_floor_slope_per_kcycle{job="leak",metric="i915.vmas_ppgtt"}')
slope_clean=$(value 'gemsoak_floor_slope_per_kcycle{job="clean",metric="i915.vmas_ppgtt"}')
vmas_leak=$(value 'gemsoak_i915_vmas_ppgtt{job="leak"}')
vmas_clean=$(value 'gemsoak_i915_vmas_ppgtt{job="clean"}')
age=$(value 'round(max(gemsoak:last_sample_age_seconds), 0.1)')
awk -v a="$age" 'BEGIN { exit !(a < 10) }' || fail "the newest sample is $age s old while the daemons run"
awk -v l="$slope_leak" -v c="$slope_clean" 'BEGIN { exit !(l > 100 && c < 5 && c > -5) }' ||
	fail "i915.vmas_ppgtt floor slope per 1000 cycles: leak $slope_leak, clean $slope_clean"
echo "ok: Prometheus: i915.vmas_ppgtt leaking with the fix out (floor +$slope_leak per 1000 cycles, $vmas_leak VMAs),"
echo "    stable with it in ($slope_clean per 1000 cycles, $vmas_clean VMAs); kernel metrics leaking: leak $leaking_leak, clean $leaking_clean ($names_leaking);"
echo "    newest sample ${age} s old"

# The live textfiles, with the model's every metric name, pass the lint too.
for name in leak clean; do
	promtool check metrics < "$d/$name/textfile/gemsoak.prom" > "$d/lint-$name.out" 2>&1 ||
		{ cat "$d/lint-$name.out"; fail "promtool check metrics ($name run)"; }
done
echo "ok: promtool check metrics: the live textfiles ($(grep -c '^# TYPE' "$d/leak/textfile/gemsoak.prom") families) are clean"

# Every series the dashboard names exists (recorded by the rules or
# exported), and every expression evaluates.
while read -r n; do
	[ "$(value "count({__name__=\"$n\"})")" != "" ] || fail "the dashboard names $n, which Prometheus does not have"
done < "$d/dash-names"
while read -r e; do
	# shellcheck disable=SC2016 # the dashboard's literal $host, not ours
	e=$(printf '%s' "$e" | sed 's/\$host/.+/g')
	[ "$(curl -s "$api/query" --data-urlencode "query=$e" | jq -r .status)" = success ] || fail "the dashboard's '$e' does not evaluate"
done < "$d/dash-exprs"
echo "ok: the dashboard: $(wc -l < "$d/dash-exprs") expressions evaluate, the $(wc -l < "$d/dash-names") series they name exist"

[ "$(curl -sf "$api/rules" | jq -r '[.data.groups[].rules[] | select(.health != "ok")] | length')" = 0 ] ||
	fail "a rule is unhealthy in Prometheus"
# shellcheck disable=SC2154 # set by eval "daemon_$name=..." above
kill -TERM "$daemon_leak" "$daemon_clean"
for p in "$daemon_leak" "$daemon_clean"; do
	wait "$p" || fail "gemsoakd stopped with status $?: $(tail -n 3 "$d"/*/daemon.log)"
done
echo "ok"
