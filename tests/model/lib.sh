# shellcheck shell=sh
# Helpers for tests that run against the kernel model (sourced after
# tests/lib.sh; POSIX sh). The model is a test double at the ioctl
# boundary: see tests/model/README.md.

MODEL_SERVER=$TOP/build/tests/gs-model-server
MODEL_SHIM=$TOP/build/tests/gs-model-shim.so

# model_start DIR [SERVER ARGS...]: start a model server for DIR (its socket
# DIR/sock, device DIR/card0, debugfs DIR/debugfs) and wait until it listens.
model_start() {
	mdir=$1
	shift
	mkdir -p "$mdir/debugfs"
	rm -f "$mdir/sock"
	"$MODEL_SERVER" --socket "$mdir/sock" --debugfs "$mdir/debugfs" "$@" 2> "$mdir/server.log" &
	model_pid=$!
	i=0
	while [ ! -S "$mdir/sock" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$mdir/server.log"; fail "the model server did not start"; }
		sleep 0.05
	done
}

model_stop() {
	if [ -n "${model_pid:-}" ]; then
		kill "$model_pid" 2>/dev/null || true
		wait "$model_pid" 2>/dev/null || true
	fi
	model_pid=
}

# model_env CMD...: run CMD with the shim pointing at the running model.
model_env() {
	GS_MODEL_SOCKET=$mdir/sock GS_MODEL_DEV=$mdir/card0 LD_PRELOAD=$MODEL_SHIM "$@"
}

# model_daemon LOG GEMSOAKD_ARGS...: start gemsoakd in the background with
# the shim pointing at the running model, its output in LOG; $daemon is
# gemsoakd's own pid (env execs it), for kill and wait.
model_daemon() {
	m_log=$1
	shift
	# Emptied here, not by the background job's redirection, which may
	# come after the caller's wait_line saw the last daemon's lines.
	: > "$m_log"
	env GS_MODEL_SOCKET="$mdir/sock" GS_MODEL_DEV="$mdir/card0" LD_PRELOAD="$MODEL_SHIM" \
		"$GEMSOAKD" "$@" > "$m_log" 2>&1 &
	daemon=$!
}

# model_hup_wait LOG PATTERN: send SIGHUP to $daemon (model_daemon), then
# wait for one more line with PATTERN in its LOG (at most 30 s).
model_hup_wait() {
	m_before=$(grep -c -- "$2" "$1" || true)
	kill -HUP "$daemon"
	m_give_up=$(($(date +%s) + 30))
	until [ "$(grep -c -- "$2" "$1" || true)" -gt "$m_before" ]; do
		[ "$(date +%s)" -lt $m_give_up ] || { cat "$1"; fail "no new '$2' in $1 within 30 s"; }
		sleep 0.1
	done
}

# model_lowest_fd: the lowest fd $daemon has free (it gets the next one).
model_lowest_fd() {
	m_fd=0
	while [ -e "/proc/$daemon/fd/$m_fd" ]; do m_fd=$((m_fd + 1)); done
	echo $m_fd
}

# model_cycled DB NAME: how many samples of workload NAME's cycles in DB
# are above 0.
model_cycled() {
	sql "$1" "select count(*) from samples s join metrics m on m.id = s.metric_id
		where m.name = 'workload.$2.cycles' and s.value > 0"
}

# model_wait_cycled DB NAME: wait until a sample of workload NAME's cycles
# in DB is above 0 (at most 30 s).
model_wait_cycled() {
	m_give_up=$(($(date +%s) + 30))
	until [ "$(model_cycled "$1" "$2")" -gt 0 ]; do
		[ "$(date +%s)" -lt $m_give_up ] || fail "workload $2 recorded no cycle within 30 s"
		sleep 0.2
	done
}

# model_set_available DIR KB: MemAvailable as the leak guard will read it
# from DIR/meminfo (its [daemon] meminfo in model_guard_daemon).
model_set_available() {
	printf 'MemTotal:        4000000 kB\nMemAvailable:    %s kB\n' "$2" > "$1/meminfo.new"
	mv "$1/meminfo.new" "$1/meminfo"
}

# model_daemon_section DIR WINDOW: the [daemon] lines of a test config
# against the model in DIR: its device and debugfs, rounds every second,
# trend windows of WINDOW.
model_daemon_section() {
	printf '[daemon]\ndevice = %s/card0\ndebugfs = %s/debugfs\ninterval = 1s\ntrend_window = %s\n' "$1" "$1" "$2"
}

# model_guard_daemon DIR: the leak guard's tests on the running model of
# DIR: prime-share at 200 cycles/s, rounds every second, the guard's floor
# at 100M and resume at 200M of DIR/meminfo (3000000 kB to begin with);
# gemsoakd started with model_daemon for 120 s, its database DIR/gs.db.
model_guard_daemon() {
	model_set_available "$1" 3000000
	{
		model_daemon_section "$1" 1s
		cat <<CONF
memory_floor = 100M
memory_resume = 200M
meminfo = $1/meminfo

[workload prime-share]
rate = 200
CONF
	} > "$1/test.conf"
	model_daemon "$1/daemon.log" -c "$1/test.conf" --database "$1/gs.db" --duration 120s
}

# model_pair_conf FILE DIR [DAEMON_KEYS]: two workloads at steady rates
# against the model in DIR, their cycles rising in step: flink-share and a
# canary keeping one object per 20 of its cycles, 100 cycles/s each;
# rounds every second, 5 s trend windows, DAEMON_KEYS added to [daemon].
model_pair_conf() {
	{
		model_daemon_section "$2" 5s
		cat <<CONF
${3:-}

[workload flink-share]
producers = 1
consumers = 1
rate = 100

[workload canary]
producers = 1
consumers = 1
leak_every = 20
rate = 100
CONF
	} > "$1"
}

# model_run_daemon CONFIG DURATION OUTDIR [SERVER ARGS...]: run gemsoakd
# with CONFIG (its @DEVICE@ and @DEBUGFS@ replaced) against a new model for
# DURATION seconds; the database is OUTDIR/gs.db.
model_run_daemon() {
	m_conf=$1 m_duration=$2 m_out=$3
	shift 3
	rm -rf "$m_out"
	mkdir -p "$m_out"
	model_start "$m_out" "$@"
	sed -e "s|@DEVICE@|$m_out/card0|" -e "s|@DEBUGFS@|$m_out/debugfs|" "$m_conf" > "$m_out/test.conf"
	set +e
	model_env "$GEMSOAKD" -c "$m_out/test.conf" --database "$m_out/gs.db" --duration "${m_duration}s" \
		> "$m_out/daemon.log" 2>&1
	echo $? > "$m_out/gemsoakd.status"
	set -e
	model_stop
	echo "--- gemsoakd against the model ($*) ---"
	cat "$m_out/server.log" "$m_out/daemon.log"
	sqlite3 -box "$m_out/gs.db" 'select * from leak_trends' 2>&1 || true
	[ "$(cat "$m_out/gemsoakd.status")" = 0 ] || fail "gemsoakd exited with $(cat "$m_out/gemsoakd.status")"
}

# trend DB METRIC COLUMN: one column of leak_trends for METRIC.
trend() {
	sql "$1" "select $3 from leak_trends where metric = '$2'"
}

# late_growth DB METRIC: how much METRIC grew from the third sample to the
# last (the first samples are taken while the workers start up); 0 when the
# metric was not sampled.
late_growth() {
	sql "$1" "select coalesce((select s.value from samples s join metrics m on m.id = s.metric_id
		join ticks k on k.id = s.tick_id where m.name = '$2' order by k.t desc limit 1) -
		(select s.value from samples s join metrics m on m.id = s.metric_id
		join ticks k on k.id = s.tick_id where m.name = '$2' order by k.t limit 1 offset 2), 0)"
}
