#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "analysis/finding-brief.h"
#include "analysis/findings-store.h"
#include "analysis/run.h"
#include "analysis/verdicts.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/fd-limit.h"
#include "daemon/leak-guard.h"
#include "daemon/leak-watch.h"
#include "daemon/probe-plan.h"
#include "daemon/probe.h"
#include "daemon/rate-report.h"
#include "daemon/reload.h"
#include "daemon/retention.h"
#include "daemon/run-clock.h"
#include "daemon/run-continue.h"
#include "daemon/sampler.h"
#include "daemon/server.h"
#include "daemon/supervisor.h"
#include "daemon/worker.h"
#include "db/store.h"
#include "device/i915.h"

struct server {
	const struct gs_config *cfg;
	const struct gs_device *dev;
	struct event_base *base;
	struct store *st;
	int64_t run_id;
	struct supervisor *sup;
	struct sampler sampler;
	struct retention retention;
	uint64_t cycles_base;    /* a continued run's cycles before this start */
	struct run_clock clock;  /* the run's own time (daemon/run-clock.h) */
	struct event *ev[14];
	int nev;
	uint64_t last_cycles;
	double last_t;
	struct reload_state reload;
	unsigned warnings;          /* events at warning or worse, for STATUS */
	char last_warning[64];
	char reopen_error[1024];    /* the last failure to open a replaced file, said once */
	int64_t replaced_run;       /* the run of the file closed because it was replaced */
	struct leak_guard guard;
	bool meminfo_failed;        /* said once */
	bool guard_measure;         /* the round after a stop says what it freed */
	int64_t guard_avail_kb;     /* usable memory at the stop */
	double guard_before[8];     /* the watched counters at the stop */
	struct leak_watch *watch;   /* memory read while the loop is busy */
	struct probe probe;         /* pauses the workloads in turn ([daemon] probe) */
	struct event *probe_ev;     /* probe = auto: its next period, re-armed each time */
	double probe_t0;            /* probe = auto: when the daemon's periods began */
	struct rate_report rates;   /* each workload's cycles/s against its rate */
	char progress[600];         /* the verdicts so far, for STATUS and the progress line */
	char judge_error[256];      /* the last failure to store the verdicts, said once */
	struct gs_run_state *judged; /* the run's judgement between rounds (analysis/run.h) */
	int64_t judged_run;         /* ... of this run */
	uint64_t progress_cycles;
	double progress_t;
	int watch_fd;
};

static const char *severity_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR: return "err";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	}
	return "debug";
}

/* The run's time now: what its ticks, events and pauses are stamped with
 * (the wall clock before a run has begun). */
static double run_now(const struct server *s)
{
	return s->clock.wall0 > 0 ? run_clock_at(&s->clock, run_clock_boottime()) : now_realtime();
}

/* Every event goes to the log and, when the store is open, the database. */
static void server_emit(void *ctx, int prio, const char *source, const char *kind, const char *msg)
{
	struct server *s = ctx;
	log_msg(prio, "%s: %s: %s", source, kind, msg);
	if (prio <= LOG_WARNING) {
		s->warnings++;
		snprintf(s->last_warning, sizeof(s->last_warning), "%s", kind);
	}
	if (s->st && store_event(s->st, s->run_id, run_now(s), severity_name(prio), source, kind, msg))
		log_err("cannot record event in the database: %s", store_errmsg(s->st));
}

static struct event_sink sink_of(struct server *s)
{
	return (struct event_sink){ server_emit, s };
}

/* Judge the run with the engine and store its verdicts: every [daemon]
 * progress (a minute by default), at the leak guard's stop, at the end of
 * the run. From a state kept between judgements (analysis/run.h), which
 * reads only what was written since. A failure is said once until it
 * changes. */
static void judge(struct server *s)
{
	char err[256];
	if (!s->st || s->sampler.store_error[0])
		return;
	/* a state reads only what was written since: another run starts one
	 * anew (and so does another file: reopen_if_replaced drops it) */
	if (s->judged && s->judged_run != s->run_id) {
		gs_run_state_free(s->judged);
		s->judged = NULL;
	}
	if (!s->judged) {
		s->judged = gs_run_state_new(s->run_id);
		s->judged_run = s->run_id;
	}
	if (!s->judged)
		snprintf(err, sizeof(err), "out of memory");
	if (s->judged && gs_store_state_verdicts(store_db(s->st), s->run_id, s->judged, NULL, err, sizeof(err)) == 0) {
		s->judge_error[0] = '\0';
	} else if (strcmp(err, s->judge_error) != 0) {
		log_err("cannot store the verdicts of run %lld: %s", (long long)s->run_id, err);
		snprintf(s->judge_error, sizeof(s->judge_error), "%s", err);
	}
	/* the self source counts it apart from the heap that must stay flat */
	s->sampler.ctx.analysis_bytes = gs_run_state_bytes(s->judged);
}

static void update_status(struct server *s)
{
	double t = now_monotonic();
	uint64_t cycles = supervisor_total_cycles(s->sup);
	double rate = t > s->last_t ? (double)(cycles - s->last_cycles) / (t - s->last_t) : 0;
	s->last_t = t;
	s->last_cycles = cycles;
	const char *err = s->sampler.store_error;
	char verdict[160] = "no anomalies";
	if (s->warnings)
		snprintf(verdict, sizeof(verdict), "%u warning(s), last %s%s", s->warnings, s->last_warning,
			 s->guard.stopped ? "; WORKLOADS STOPPED BY THE LEAK GUARD" : "");
	sd_notifyf(0, "STATUS=run %lld: %.0f cycles/s, %d worker processes, %llu samples, %s%s%s%s%s",
		   (long long)s->run_id, rate, supervisor_alive(s->sup),
		   (unsigned long long)s->sampler.ticks, verdict, s->progress[0] ? "; " : "", s->progress,
		   err[0] ? "; DATABASE FAILING: " : "", err);
}

static int begin_run(struct server *s, bool force_new);

/* The database file removed or replaced while the daemon runs: samples
 * written to the old file would go with it, so open the path anew (a
 * fresh database) and go on there in a new run. The old file is closed
 * first: its -wal next to the path must be gone before SQLite looks at
 * what is there now, or it would take it for that file's. If the path
 * cannot be opened, try again next round; the rounds meanwhile wait in
 * the sampler's backlog. */
static void reopen_if_replaced(struct server *s)
{
	if (!store_file_replaced(s->st))
		return;
	if (s->st) {
		s->replaced_run = s->run_id;
		gs_run_state_free(s->judged);
		s->judged = NULL;
		s->sampler.ctx.analysis_bytes = 0;
		store_close(s->st);
		s->st = s->sampler.st = NULL;
	}
	char err[1024];
	struct store *st;
	if (store_open_flags(s->cfg->database, STORE_EXCLUSIVE, &st, err, sizeof(err))) {
		if (strcmp(err, s->reopen_error) != 0)
			log_err("the database file was removed or replaced and cannot be opened again: %s", err);
		snprintf(s->reopen_error, sizeof(s->reopen_error), "%s", err);
		return;
	}
	s->reopen_error[0] = '\0';
	int64_t old_run = s->replaced_run;
	s->st = s->sampler.st = st;
	if (begin_run(s, true))
		return;
	s->sampler.run_id = s->run_id;
	s->sampler.cycles_base = s->cycles_base;
	char msg[700];
	snprintf(msg, sizeof(msg), "%s was removed or replaced while run %lld was being recorded; "
		 "continuing in a new file", s->cfg->database, (long long)old_run);
	server_emit(s, LOG_WARNING, "daemon", "store-replaced", msg);
}

/* One value of the guard's meminfo file in kB; usable: instead of key's
 * value, the memory the guard counts on (leak_guard_usable_kb, key being
 * MemAvailable). -1 (said once) when it cannot be read. */
static int64_t meminfo_kb(struct server *s, const char *key, bool usable)
{
	char *text = read_text_file(s->cfg->meminfo, NULL);
	uint64_t kb = 0;
	int r = text ? parse_meminfo_kb(text, key, &kb) : -errno;
	if (r == 0 && usable)
		kb = (uint64_t)leak_guard_usable_kb(text);
	free(text);
	if (r) {
		if (!s->meminfo_failed) {
			char msg[512], why[96];
			snprintf(msg, sizeof(msg), "%s: no %s value (%s); the leak guard waits for it", s->cfg->meminfo,
				 key, r == -ENOENT ? "no such line" : read_error(-r, why, sizeof(why)));
			server_emit(s, LOG_WARNING, "daemon", "leak-guard-blind", msg);
		}
		s->meminfo_failed = true;
		return -1;
	}
	s->meminfo_failed = false;
	return (int64_t)kb;
}

/* The counters a leak grows, as the last round read them (-1: not read). */
static const char *const guard_watch[] = {
	"dmabuf.objects", "dmabuf.bytes", "gem.flink_names", "drm.clients", "i915.objects",
	"mem.shmem_kb", "mem.sunreclaim_kb",
};

static void watched_values(const struct sampler *sm, double *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(guard_watch); i++) {
		v[i] = -1;
		for (size_t j = 0; j < sm->batch.n; j++)
			if (strcmp(sm->batch.v[j].name, guard_watch[i]) == 0)
				v[i] = sm->batch.v[j].value;
	}
}

/* Below the floor: a round at once (the counters as the stop finds
 * them), stop the workloads and say what the counters and the verdicts
 * were; the next round says how much the stop freed. */
static void guard_stop(struct server *s, int64_t avail_kb)
{
	char leaking[512] = "", counters[600] = "", msg[1400];
	_Static_assert(ARRAY_SIZE(guard_watch) <= ARRAY_SIZE(s->guard_before), "guard_before too small");
	sampler_tick(&s->sampler, run_now(s));
	watched_values(&s->sampler, s->guard_before);
	judge(s);
	store_leaking_metrics(s->st, s->run_id, leaking, sizeof(leaking));
	int procs = supervisor_pause(s->sup);
	size_t used = 0;
	for (size_t i = 0; i < ARRAY_SIZE(guard_watch) && used < sizeof(counters); i++)
		if (s->guard_before[i] >= 0)
			used += (size_t)snprintf(counters + used, sizeof(counters) - used, "%s%s %.0f",
						 used ? ", " : "", guard_watch[i], s->guard_before[i]);
	snprintf(msg, sizeof(msg), "usable memory %lld kB is below the floor of %lld kB: stopped %d worker"
		 " process(es) at %s; leaking then: %s; the workloads start again at %lld kB",
		 (long long)avail_kb, (long long)s->guard.floor_kb, procs, counters[0] ? counters : "no counters",
		 leaking[0] ? leaking : "none", (long long)s->guard.resume_kb);
	server_emit(s, LOG_WARNING, "daemon", "leak-guard", msg);
	/* The verdicts reached before the stop, kept with the run. */
	char key[64];
	snprintf(key, sizeof(key), "leak_guard.%u.leaking", s->guard.trips);
	store_run_prop(s->st, s->run_id, key, leaking);
	s->guard_avail_kb = avail_kb;
	s->guard_measure = true;
}

/* The first round after a stop: what the workers' files held is released
 * by now. On a leaking kernel that is the leak itself, so say how much. */
static void guard_freed(struct server *s, int64_t avail_kb)
{
	double after[ARRAY_SIZE(guard_watch)];
	char freed[700] = "", msg[1000];
	watched_values(&s->sampler, after);
	size_t used = 0;
	for (size_t i = 0; i < ARRAY_SIZE(guard_watch) && used < sizeof(freed); i++)
		if (s->guard_before[i] >= 0 && after[i] >= 0)
			used += (size_t)snprintf(freed + used, sizeof(freed) - used, "%s%s %.0f -> %.0f (freed %.0f)",
						 used ? ", " : "", guard_watch[i], s->guard_before[i], after[i],
						 s->guard_before[i] - after[i]);
	snprintf(msg, sizeof(msg), "stopping the workers freed: %s; usable memory %lld -> %lld kB",
		 freed[0] ? freed : "nothing measured", (long long)s->guard_avail_kb, (long long)avail_kb);
	server_emit(s, LOG_WARNING, "daemon", "leak-guard-freed", msg);
	s->guard_measure = false;
}

/* Tell the watch which processes a freeze stops: the workers as they are
 * now (those started since are stopped by the loop itself). */
static void watch_publish(struct server *s)
{
	pid_t pids[LEAK_WATCH_MAX_PIDS];
	if (s->watch)
		leak_watch_set_pids(s->watch, pids, supervisor_pids(s->sup, pids, ARRAY_SIZE(pids), false));
}

/* Continue what the watch froze; a workload the probe pauses stays
 * stopped (the watch's SIGCONT reaches every group it stopped). */
static void watch_thaw(struct server *s)
{
	if (!s->watch)
		return;
	leak_watch_thaw(s->watch);
	supervisor_refreeze(s->sup);
}

static void guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	int64_t avail = meminfo_kb(s, "MemAvailable", true);
	enum leak_guard_action a = leak_guard_decide(&s->guard, avail, now_monotonic());
	if (a == LEAK_GUARD_STOP) {
		guard_stop(s, avail);
		/* killed by now; what the watch froze needs no SIGCONT, but the
		 * watch stays disarmed until the workloads start again */
		probe_check(&s->probe, s->st, s->run_id, run_now(s));
	} else if (a == LEAK_GUARD_RESUME) {
		watch_thaw(s);
		char msg[256];
		snprintf(msg, sizeof(msg), "usable memory %lld kB is above %lld kB again after %.0f s: the workloads"
			 " start again", (long long)avail, (long long)s->guard.resume_kb,
			 now_monotonic() - s->guard.stopped_at);
		supervisor_resume(s->sup);
		server_emit(s, LOG_NOTICE, "daemon", "leak-guard-resume", msg);
	}
	watch_publish(s);
}

/* The watch froze the workers while the loop was busy (or it wakes us
 * now): say so, and decide as the guard always does. When the loop finds
 * memory back above the floor, the frozen ones go on. */
static void watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	int64_t seen;
	int groups = leak_watch_take(s->watch, &seen);
	if (groups < 0)
		return;
	if (groups > 0) { /* else no worker was running: the guard decides alone */
		char msg[256];
		snprintf(msg, sizeof(msg), "usable memory %lld kB below the floor of %lld kB: the guard's watch"
			 " froze %d workload process group(s) at once", (long long)seen, (long long)s->guard.floor_kb,
			 groups);
		server_emit(s, LOG_WARNING, "daemon", "leak-guard-freeze", msg);
	}
	guard_cb(-1, 0, s);
	if (!s->guard.stopped)
		watch_thaw(s);
}

/* A step of the wall clock since the last round: said, with its size;
 * the run's times keep to the run's own clock. */
static void check_clock(struct server *s)
{
	double wall = now_realtime(), boot = run_clock_boottime();
	double step = run_clock_step(&s->clock, wall, boot);
	if (step == 0)
		return;
	char msg[400];
	snprintf(msg, sizeof(msg), "the wall clock stepped %+.0f s; run %lld keeps its own time (the wall clock"
		 " at its start plus the time elapsed since), now %+.0f s from the wall clock",
		 step, (long long)s->run_id, run_clock_at(&s->clock, boot) - wall);
	server_emit(s, LOG_WARNING, "daemon", "clock-step", msg);
}

static void sample_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	reopen_if_replaced(s);
	check_clock(s);
	sampler_tick(&s->sampler, run_now(s));
	rate_report_round(&s->rates, s->sup, s->reload.current, s->st, s->run_id, now_monotonic(), sink_of(s));
	/* This round measures a stop before it (not one decided now), and a
	 * freeze during the round comes before the hang check: frozen workers
	 * are not hung. */
	bool measure = s->guard_measure;
	if (s->watch)
		watch_cb(s->watch_fd, EV_READ, s);
	if (measure)
		guard_freed(s, meminfo_kb(s, "MemAvailable", true));
	if (retention_tick(&s->retention, s->st, run_now(s)) < 0)
		log_err("cannot prune old samples and events: %s", store_errmsg(s->st));
	/* Two intervals without a cycle: hung (but never less than 5 s). */
	double stall = 2.0 * (double)s->cfg->interval_ms / 1000.0;
	supervisor_check_progress(s->sup, stall < 5.0 ? 5.0 : stall);
	update_status(s);
}

/* The run's findings as judge() stored them, in a few words (at most
 * GS_BRIEF_CAP characters); "" when none, or when they cannot be read
 * (the progress then names the leaking metrics, as the verdicts have
 * them). */
static void findings_brief(struct server *s, char *buf, size_t len)
{
	struct gs_finding *f;
	size_t n;
	char err[256];
	buf[0] = '\0';
	if (!s->st || gs_read_findings(store_db(s->st), s->run_id, &f, &n, err, sizeof(err)))
		return;
	gs_findings_brief(f, n, GS_BRIEF_CAP, buf, len);
	free(f);
}

/* Every [daemon] progress: the verdicts judged and stored (in STATUS
 * from then on, under systemd), and on a terminal a line with the cycles
 * per second since the last one. */
static void progress_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	double t = now_monotonic();
	uint64_t cycles = supervisor_total_cycles(s->sup);
	double rate = t > s->progress_t ? (double)(cycles - s->progress_cycles) / (t - s->progress_t) : 0;
	s->progress_t = t;
	s->progress_cycles = cycles;
	judge(s);
	char brief[GS_BRIEF_CAP + 1];
	findings_brief(s, brief, sizeof(brief));
	if (store_progress(s->st, s->run_id, brief, s->progress, sizeof(s->progress)))
		return;
	char controls[400];
	rate_report_controls(&s->rates, s->reload.current, controls, sizeof(controls));
	if (isatty(STDERR_FILENO))
		log_notice("progress: run %lld, %.0f cycles/s, %llu samples; %s%s%s", (long long)s->run_id, rate,
			   (unsigned long long)s->sampler.ticks, s->progress, controls[0] ? "; " : "", controls);
}

static struct timeval tv_of(double seconds)
{
	struct timeval tv = { (time_t)seconds, (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6) };
	return tv;
}

/* A period of [daemon] probe begins: the next workload's pause, or all
 * running; none while the guard keeps the workloads stopped. */
static void probe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	probe_period(&s->probe, s->st, s->run_id, run_now(s), s->guard.stopped);
	if (s->probe_ev) {
		int64_t elapsed = (int64_t)((now_monotonic() - s->probe_t0) * 1000);
		struct timeval tv = tv_of((double)probe_plan_auto_ms(s->probe.period - 1, elapsed,
									s->cfg->interval_ms) / 1000.0);
		if (event_add(s->probe_ev, &tv) < 0)
			log_err("probe: cannot schedule its next period; no more pauses in this run");
	}
	watch_publish(s);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	if (fd >= 0)
		log_notice("received %s, stopping", sigabbrev_np((int)fd) ?: "signal");
	else
		log_notice("--duration reached, stopping");
	event_base_loopbreak(s->base);
}

static void child_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	supervisor_reap(s->sup);
}

/* The fd-limit warning when the limit leaves the daemon too few fds. */
static void check_fd_limit(struct server *s)
{
	char msg[256];
	if (fd_limit_low(msg, sizeof(msg)))
		server_emit(s, LOG_WARNING, "daemon", "fd-limit", msg);
}

/* RELOADING=1 ... READY=1 brackets the reload for systemd (MONOTONIC_USEC
 * as Type=notify-reload wants it); the run goes on either way. */
static void reload_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	log_notice("received SIGHUP, reloading %s", s->cfg->path);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		   (unsigned long long)(now_monotonic() * 1e6));
	/* The run's recorded config follows what runs (the versions before
	 * stay in run_configs). */
	if (reload_run(&s->reload, s->sup, s->dev, sink_of(s)) > 0) {
		if (store_run_config(s->st, s->run_id, now_realtime(),
				     s->reload.current->text ? s->reload.current->text : ""))
			log_err("%s: cannot record the reloaded config: %s", s->cfg->database, store_errmsg(s->st));
		check_fd_limit(s);
	}
	/* Workloads a reload started or restarted wait for memory too. */
	if (s->guard.stopped)
		supervisor_pause(s->sup);
	/* A paused workload the reload restarted or removed ends its pause. */
	probe_check(&s->probe, s->st, s->run_id, run_now(s));
	watch_publish(s);
	update_status(s);
	sd_notify(0, "READY=1");
}

static void watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

static int add_event(struct server *s, evutil_socket_t fd, short what, event_callback_fn cb,
		     const struct timeval *tv)
{
	struct event *ev = event_new(s->base, fd, what, cb, s);
	if (!ev || event_add(ev, tv) < 0) {
		if (ev)
			event_free(ev);
		return -1;
	}
	s->ev[s->nev++] = ev;
	return 0;
}

static int setup_events(struct server *s, const struct server_options *opt)
{
	struct timeval interval = tv_of((double)s->cfg->interval_ms / 1000.0);
	if (add_event(s, SIGTERM, EV_SIGNAL | EV_PERSIST, stop_cb, NULL) ||
	    add_event(s, SIGINT, EV_SIGNAL | EV_PERSIST, stop_cb, NULL) ||
	    add_event(s, SIGCHLD, EV_SIGNAL | EV_PERSIST, child_cb, NULL) ||
	    add_event(s, SIGHUP, EV_SIGNAL | EV_PERSIST, reload_cb, NULL) ||
	    add_event(s, -1, EV_PERSIST, sample_cb, &interval))
		return -1;
	double guard_s = (double)s->cfg->interval_ms / 1000.0;
	struct timeval guard = tv_of(guard_s < LEAK_GUARD_PERIOD_S ? guard_s : LEAK_GUARD_PERIOD_S);
	if (s->guard.floor_kb > 0 && add_event(s, -1, EV_PERSIST, guard_cb, &guard))
		return -1;
	if (s->watch && add_event(s, s->watch_fd, EV_READ | EV_PERSIST, watch_cb, NULL))
		return -1;
	struct timeval probe = tv_of((double)s->cfg->probe_ms / 1000.0);
	if (s->cfg->probe_ms > 0 && add_event(s, -1, EV_PERSIST, probe_cb, &probe))
		return -1;
	/* probe = auto: one period at a time, each as long as the plan says
	 * when it begins */
	struct timeval first = tv_of((double)probe_plan_auto_ms(0, 0, s->cfg->interval_ms) / 1000.0);
	s->probe_t0 = now_monotonic();
	if (s->cfg->probe_ms < 0 && add_event(s, -1, 0, probe_cb, &first))
		return -1;
	if (s->cfg->probe_ms < 0)
		s->probe_ev = s->ev[s->nev - 1];
	struct timeval progress = tv_of((double)s->cfg->progress_ms / 1000.0);
	s->progress_t = now_monotonic();
	s->progress_cycles = supervisor_total_cycles(s->sup);
	/* every [daemon] progress the verdicts are judged and stored, with or
	 * without a terminal or systemd to tell them to */
	if (s->cfg->progress_ms > 0 && add_event(s, -1, EV_PERSIST, progress_cb, &progress))
		return -1;
	if (opt->duration_s > 0) {
		struct timeval d = tv_of(opt->duration_s);
		if (add_event(s, -1, 0, stop_cb, &d))
			return -1;
	}
	uint64_t wd_usec;
	if (sd_watchdog_enabled(0, &wd_usec) > 0) {
		struct timeval half = tv_of((double)wd_usec / 2e6);
		if (add_event(s, -1, EV_PERSIST, watchdog_cb, &half))
			return -1;
	}
	return 0;
}

static char *caps_text(unsigned caps, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned bit = 1; bit && bit <= caps; bit <<= 1)
		if (caps & bit && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 device_cap_name(bit));
	return buf;
}

/* Each workload's seed, so a run's pseudo-random choices can be replayed. */
static void record_seeds(struct server *s)
{
	for (size_t i = 0; i < s->cfg->nworkloads; i++) {
		const struct wl_config *w = &s->cfg->workloads[i];
		char key[96], val[32];
		snprintf(key, sizeof(key), "seed.%s", w->name);
		snprintf(val, sizeof(val), "%lld", (long long)wl_get(w, "seed"));
		if (store_run_prop(s->st, s->run_id, key, val))
			log_err("cannot record %s: %s", key, store_errmsg(s->st));
	}
}

/* What decides whether seed 004's VMA leak can happen on this machine. */
static void record_i915_props(struct server *s)
{
	char v[32];
	snprintf(v, sizeof(v), "%s", s->dev->i915_ppgtt < 0 ? "unknown" : i915_ppgtt_name(s->dev->i915_ppgtt));
	store_run_prop(s->st, s->run_id, "i915.ppgtt", v);
	if (s->dev->i915_chipset >= 0) {
		snprintf(v, sizeof(v), "0x%04x", (unsigned)s->dev->i915_chipset);
		store_run_prop(s->st, s->run_id, "gpu.pci_device_id", v);
	}
}

static int begin_run(struct server *s, bool force_new)
{
	struct utsname u;
	uname(&u);
	char host[256] = "", caps[256];
	gethostname(host, sizeof(host) - 1);
	struct run_info ri = {
		.hostname = host, .kernel_release = u.release, .kernel_version = u.version,
		.device = s->dev->path, .driver = s->dev->driver,
		.capabilities = caps_text(s->dev->caps, caps, sizeof(caps)),
		.config_path = s->cfg->path, .config_text = s->cfg->text,
	};
	char boot_id[64] = "";
	char *boot = read_text_file("/proc/sys/kernel/random/boot_id", NULL);
	if (boot) {
		snprintf(boot_id, sizeof(boot_id), "%.*s", (int)strcspn(boot, "\n"), boot);
		free(boot);
	}
	ri.boot_id = boot_id;
	struct run_start rs;
	if (run_start(s->st, &ri, force_new, now_realtime(), run_clock_boottime(), &rs) ||
	    store_set_setting(s->st, "window_s", (double)(s->cfg->trend_window_ms / 1000))) {
		log_err("%s: cannot record the run: %s", s->cfg->database, store_errmsg(s->st));
		return -1;
	}
	s->run_id = rs.run_id;
	s->cycles_base = rs.cycles_base;
	s->clock = rs.clock;
	/* The gap (or new-run), the run's facts and its run-start land in one
	 * transaction: a SIGKILL between them left a gap without its start. */
	bool tx = store_batch_begin(s->st) == 0;
	server_emit(s, rs.continued ? LOG_WARNING : LOG_INFO, "daemon", rs.continued ? "gap" : "new-run", rs.why);
	record_seeds(s);
	/* A daemon that died during a pause left its row open: its workers
	 * died with it (PR_SET_PDEATHSIG), so the pause ended then. */
	if (rs.continued && store_probe_close_open(s->st, s->run_id) < 0)
		log_err("cannot close the last life's probe pause: %s", store_errmsg(s->st));
	if (s->dev->kind == GS_DRIVER_I915)
		record_i915_props(s);
	char msg[512];
	snprintf(msg, sizeof(msg), "run %lld on %s (%s), kernel %s, %zu workload(s), interval %.1fs",
		 (long long)s->run_id, s->dev->path, s->dev->driver, u.release, s->cfg->nworkloads,
		 (double)s->cfg->interval_ms / 1000.0);
	server_emit(s, LOG_NOTICE, "daemon", "run-start", msg);
	if (tx && store_batch_end(s->st))
		log_err("%s: cannot record the run's start: %s", s->cfg->database, store_errmsg(s->st));
	return 0;
}

/* A database on a tmpfs is lost with the machine (an OOM, a crash), and
 * its growth counts in mem.shmem_kb as if the tool's own storage leaked. */
static void warn_if_tmpfs(struct server *s)
{
	struct statfs sf;
	if (statfs(s->cfg->database, &sf) != 0 || (sf.f_type != 0x01021994 && sf.f_type != 0x858458f6))
		return;
	char msg[700];
	snprintf(msg, sizeof(msg), "%s is on a tmpfs or ramfs: it is lost if the machine runs out of memory"
		 " or crashes, and its growth counts in mem.shmem_kb like a leak; put it on a disk",
		 s->cfg->database);
	server_emit(s, LOG_WARNING, "daemon", "store-on-tmpfs", msg);
}

/* The recorder must outlive what it records: a low OOM score for the
 * daemon (the workers raise theirs), and the guard's levels. */
static void guard_init(struct server *s)
{
	int r = set_oom_score_adj(GS_DAEMON_OOM_SCORE_ADJ);
	if (r)
		log_notice("cannot lower the daemon's oom_score_adj to %d: %s", GS_DAEMON_OOM_SCORE_ADJ,
			   strerror(-r));
	int64_t total = s->cfg->memory_floor_kb < 0 ? meminfo_kb(s, "MemTotal", false) : 0;
	leak_guard_init(&s->guard, s->cfg->memory_floor_kb, s->cfg->memory_resume_kb, total);
	if (s->guard.floor_kb <= 0)
		return;
	log_notice("leak guard: the workloads stop below %lld kB of usable memory (MemAvailable less"
		   " SReclaimable, %s) and start again"
		   " above %lld kB", (long long)s->guard.floor_kb, s->cfg->meminfo, (long long)s->guard.resume_kb);
	r = leak_watch_start(&s->watch, s->cfg->meminfo, s->guard.floor_kb, LEAK_GUARD_PERIOD_S, &s->watch_fd);
	if (r)
		log_warn("leak guard: no watch thread (%s): a long sampling round delays the guard",
			    strerror(-r));
}

static void early_signals(int how)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(how, &set, NULL);
}

void server_hold_signals(void)
{
	early_signals(SIG_BLOCK);
}

static void teardown(struct server *s)
{
	leak_watch_stop(s->watch);
	for (int i = 0; i < s->nev; i++)
		event_free(s->ev[i]);
	supervisor_free(s->sup);
	reload_free(&s->reload);
	sampler_free(&s->sampler);
	rate_report_free(&s->rates);
	gs_run_state_free(s->judged);
	store_close(s->st);
	if (s->base)
		event_base_free(s->base);
}

int server_run(const struct gs_config *cfg, const struct gs_device *dev,
	       const struct server_options *opt)
{
	struct server s = { .cfg = cfg, .dev = dev };
	char err[1024];
	reload_init(&s.reload, cfg);
	signal(SIGPIPE, SIG_IGN);
	if (store_open_flags(cfg->database, STORE_EXCLUSIVE, &s.st, err, sizeof(err))) {
		log_err("cannot open the database %s", err);
		return GS_EXIT_CANTCREAT;
	}
	int status = GS_EXIT_CANTCREAT; /* a read-only or locked database */
	s.base = event_base_new();
	if (s.base && begin_run(&s, opt->new_run)) {
		log_err("cannot start: the database cannot be written");
		goto out;
	}
	warn_if_tmpfs(&s);
	guard_init(&s);
	status = GS_EXIT_OSERR;
	if (!s.base || !(s.sup = supervisor_new(s.base, dev, sink_of(&s)))) {
		log_err("cannot start: %s", s.base ? "see above" : "no event base");
		goto out;
	}
	struct source_ctx ctx = {
		.debugfs = cfg->debugfs, .procfs = "/proc", .card_minor = dev->card_minor, .device = dev->path,
		.i915 = dev->kind == GS_DRIVER_I915, .quiesce = cfg->quiesce, .drop_caches = cfg->drop_caches,
		.origins_max = (uint32_t)cfg->origins_objects,
	};
	if (sampler_init(&s.sampler, &ctx, s.sup, s.st, s.run_id, sink_of(&s)) || setup_events(&s, opt)) {
		log_err("cannot set up the event loop");
		goto out;
	}
	/* Held since main(): the loop's handlers take them from here, and
	 * one that came during start-up is handled now. */
	early_signals(SIG_UNBLOCK);
	probe_init(&s.probe, s.sup, sink_of(&s));
	s.probe.need_two = cfg->probe_ms < 0;
	if (cfg->probe_ms > 0)
		log_notice("probe: periods of %.0f s alternate between all %zu workload(s) running and one paused,"
			   " in turn", (double)cfg->probe_ms / 1000.0, cfg->nworkloads);
	else if (cfg->probe_ms < 0)
		log_notice("probe: auto: while two or more workloads run, periods of %.0f s and longer as the run"
			   " goes on alternate between all running and one paused, in turn (probe = no: off)",
			   (double)probe_plan_auto_ms(0, 0, cfg->interval_ms) / 1000.0);
	supervisor_set_user(s.sup, &cfg->user);
	supervisor_set_backoff(s.sup, (int)cfg->backoff_ms, (int)cfg->backoff_max_ms);
	s.sampler.cycles_base = s.cycles_base;
	retention_init(&s.retention, cfg->retention_ms);
	for (size_t i = 0; i < cfg->nworkloads; i++) {
		if (supervisor_add(s.sup, &cfg->workloads[i]) < 0)
			goto out; /* out of memory: the start-failed event says so */
	}
	check_fd_limit(&s);
	/* A first sample at once: the baseline every trend starts from. */
	s.last_t = now_monotonic();
	sampler_tick(&s.sampler, run_now(&s));
	sd_notifyf(0, "READY=1\nSTATUS=run %lld started, %zu workload(s)", (long long)s.run_id,
		   cfg->nworkloads);
	log_notice("ready: database %s, run %lld", cfg->database, (long long)s.run_id);

	event_base_dispatch(s.base);

	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	/* The last tick sees every workload running, the paused one too. */
	probe_end(&s.probe, s.st, s.run_id, run_now(&s), "the daemon stops");
	/* The last tick is taken while the workloads still run: once they are
	 * stopped their files close and the counters drop, which says nothing
	 * about the trend. */
	sampler_tick(&s.sampler, run_now(&s));
	sampler_finish(&s.sampler);
	supervisor_stop_all(s.sup);
	server_emit(&s, LOG_NOTICE, "daemon", "run-stop", "stopped");
	judge(&s); /* the run's final verdicts */
	store_end_run(s.st, s.run_id, run_now(&s));
	status = 0;
out:
	if (status && s.sup)
		supervisor_stop_all(s.sup);
	teardown(&s);
	return status;
}
