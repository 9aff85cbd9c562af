#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "daemon/guard-actions.h"
#include "daemon/probe-plan.h"
#include "daemon/run-book.h"
#include "daemon/server-state.h"
#include "daemon/server.h"
#include "db/store.h"

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

double server_now(const struct server *s)
{
	return s->run.clock.wall0 > 0 ? run_clock_at(&s->run.clock, run_clock_boottime()) : now_realtime();
}

void server_emit(void *ctx, int prio, const char *source, const char *kind, const char *msg)
{
	struct server *s = ctx;
	log_msg(prio, "%s: %s: %s", source, kind, msg);
	if (prio <= LOG_WARNING) {
		s->warnings++;
		snprintf(s->last_warning, sizeof(s->last_warning), "%s", kind);
	}
	if (s->st && store_event(s->st, s->run.id, server_now(s), severity_name(prio), source, kind, msg))
		log_err("cannot record event in the database: %s", store_errmsg(s->st));
}

struct event_sink server_sink(struct server *s)
{
	return (struct event_sink){ server_emit, s };
}

/* Judge the run with the engine and store its verdicts: every [daemon]
 * progress (a minute by default), at the leak guard's stop, at the end of
 * the run. From a state kept between judgements (analysis/run.h), which
 * reads only what was written since. A failure is said once until it
 * changes. */
void server_judge(struct server *s)
{
	char err[256];
	if (!s->st || s->sampler.store_error[0])
		return;
	/* a state reads only what was written since: another run starts one
	 * anew (and so does another file: run_book_reopen_if_replaced drops it) */
	if (s->judged && s->judged_run != s->run.id) {
		gs_run_state_free(s->judged);
		s->judged = NULL;
	}
	if (!s->judged) {
		s->judged = gs_run_state_new(s->run.id);
		s->judged_run = s->run.id;
	}
	if (!s->judged)
		snprintf(err, sizeof(err), "out of memory");
	if (s->judged && gs_store_state_verdicts(store_db(s->st), s->run.id, s->judged, NULL, err, sizeof(err)) == 0) {
		s->judge_error[0] = '\0';
	} else if (strcmp(err, s->judge_error) != 0) {
		log_err("cannot store the verdicts of run %lld: %s", (long long)s->run.id, err);
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
			 s->guard.state.stopped ? "; WORKLOADS STOPPED BY THE LEAK GUARD" : "");
	sd_notifyf(0, "STATUS=run %lld: %.0f cycles/s, %d worker processes, %llu samples, %s%s%s%s%s",
		   (long long)s->run.id, rate, supervisor_alive(s->sup),
		   (unsigned long long)s->sampler.ticks, verdict, s->progress[0] ? "; " : "", s->progress,
		   err[0] ? "; DATABASE FAILING: " : "", err);
}
static void guard_cb(evutil_socket_t fd, short what, void *arg)
{
	guard_actions_round(arg);
}

static void watch_cb(evutil_socket_t fd, short what, void *arg)
{
	guard_actions_watch(arg);
}

/* A step of the wall clock since the last round: said, with its size;
 * the run's times keep to the run's own clock. */
static void check_clock(struct server *s)
{
	double wall = now_realtime(), boot = run_clock_boottime();
	double step = run_clock_step(&s->run.clock, wall, boot);
	if (step == 0)
		return;
	char msg[400];
	snprintf(msg, sizeof(msg), "the wall clock stepped %+.0f s; run %lld keeps its own time (the wall clock"
		 " at its start plus the time elapsed since), now %+.0f s from the wall clock",
		 step, (long long)s->run.id, run_clock_at(&s->run.clock, boot) - wall);
	server_emit(s, LOG_WARNING, "daemon", "clock-step", msg);
}

static void sample_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	run_book_reopen_if_replaced(s);
	check_clock(s);
	sampler_tick(&s->sampler, server_now(s));
	rate_report_round(&s->rates, s->sup, s->reload.current, s->st, s->run.id, now_monotonic(), server_sink(s));
	guard_actions_sample(s);
	if (retention_tick(&s->retention, s->st, server_now(s)) < 0)
		log_err("cannot prune old samples and events: %s", store_errmsg(s->st));
	/* Two intervals without a cycle: hung (but never less than 5 s). */
	double stall = 2.0 * (double)s->cfg->interval_ms / 1000.0;
	supervisor_check_progress(s->sup, stall < 5.0 ? 5.0 : stall);
	update_status(s);
}

/* The run's findings as server_judge() stored them, in a few words (at
 * most GS_BRIEF_CAP characters); "" when none, or when they cannot be read
 * (the progress then names the leaking metrics, as the verdicts have
 * them). */
static void findings_brief(struct server *s, char *buf, size_t len)
{
	struct gs_finding *f;
	size_t n;
	char err[256];
	buf[0] = '\0';
	if (!s->st || gs_read_findings(store_db(s->st), s->run.id, &f, &n, err, sizeof(err)))
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
	server_judge(s);
	char brief[GS_BRIEF_CAP + 1];
	findings_brief(s, brief, sizeof(brief));
	if (store_progress(s->st, s->run.id, brief, s->progress, sizeof(s->progress)))
		return;
	char controls[400];
	rate_report_controls(&s->rates, s->reload.current, controls, sizeof(controls));
	if (isatty(STDERR_FILENO))
		log_notice("progress: run %lld, %.0f cycles/s, %llu samples; %s%s%s", (long long)s->run.id, rate,
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
	probe_period(&s->probe, s->st, s->run.id, server_now(s), s->guard.state.stopped);
	if (s->probe_ev) {
		int64_t elapsed = (int64_t)((now_monotonic() - s->probe_t0) * 1000);
		struct timeval tv = tv_of((double)probe_plan_auto_ms(s->probe.period - 1, elapsed,
									s->cfg->interval_ms) / 1000.0);
		if (event_add(s->probe_ev, &tv) < 0)
			log_err("probe: cannot schedule its next period; no more pauses in this run");
	}
	guard_actions_publish(s);
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
	if (reload_run(&s->reload, s->sup, s->dev, server_sink(s)) > 0) {
		if (store_run_config(s->st, s->run.id, now_realtime(),
				     s->reload.current->text ? s->reload.current->text : ""))
			log_err("%s: cannot record the reloaded config: %s", s->cfg->database, store_errmsg(s->st));
		check_fd_limit(s);
	}
	/* Workloads a reload started or restarted wait for memory too. */
	if (s->guard.state.stopped)
		supervisor_pause(s->sup);
	/* A paused workload the reload restarted or removed ends its pause. */
	probe_check(&s->probe, s->st, s->run.id, server_now(s));
	guard_actions_publish(s);
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
	if (s->guard.state.floor_kb > 0 && add_event(s, -1, EV_PERSIST, guard_cb, &guard))
		return -1;
	if (s->guard.watch && add_event(s, s->guard.watch_fd, EV_READ | EV_PERSIST, watch_cb, NULL))
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
	guard_actions_free(&s->guard);
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
	if (s.base && run_book_begin(&s, opt->new_run)) {
		log_err("cannot start: the database cannot be written");
		goto out;
	}
	warn_if_tmpfs(&s);
	guard_actions_init(&s);
	status = GS_EXIT_OSERR;
	if (!s.base || !(s.sup = supervisor_new(s.base, dev, server_sink(&s)))) {
		log_err("cannot start: %s", s.base ? "see above" : "no event base");
		goto out;
	}
	struct source_ctx ctx = {
		.debugfs = cfg->debugfs, .procfs = "/proc", .card_minor = dev->card_minor, .device = dev->path,
		.i915 = dev->kind == GS_DRIVER_I915, .quiesce = cfg->quiesce, .drop_caches = cfg->drop_caches,
		.origins_max = (uint32_t)cfg->origins_objects,
	};
	if (sampler_init(&s.sampler, &ctx, s.sup, s.st, s.run.id, server_sink(&s)) || setup_events(&s, opt)) {
		log_err("cannot set up the event loop");
		goto out;
	}
	/* Held since main(): the loop's handlers take them from here, and
	 * one that came during start-up is handled now. */
	early_signals(SIG_UNBLOCK);
	probe_init(&s.probe, s.sup, server_sink(&s));
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
	s.sampler.cycles_base = s.run.cycles_base;
	retention_init(&s.retention, cfg->retention_ms);
	for (size_t i = 0; i < cfg->nworkloads; i++) {
		if (supervisor_add(s.sup, &cfg->workloads[i]) < 0)
			goto out; /* out of memory: the start-failed event says so */
	}
	check_fd_limit(&s);
	/* A first sample at once: the baseline every trend starts from. */
	s.last_t = now_monotonic();
	sampler_tick(&s.sampler, server_now(&s));
	sd_notifyf(0, "READY=1\nSTATUS=run %lld started, %zu workload(s)", (long long)s.run.id,
		   cfg->nworkloads);
	log_notice("ready: database %s, run %lld", cfg->database, (long long)s.run.id);

	event_base_dispatch(s.base);

	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	/* The last tick sees every workload running, the paused one too. */
	probe_end(&s.probe, s.st, s.run.id, server_now(&s), "the daemon stops");
	/* The last tick is taken while the workloads still run: once they are
	 * stopped their files close and the counters drop, which says nothing
	 * about the trend. */
	sampler_tick(&s.sampler, server_now(&s));
	sampler_finish(&s.sampler);
	supervisor_stop_all(s.sup);
	server_emit(&s, LOG_NOTICE, "daemon", "run-stop", "stopped");
	server_judge(&s); /* the run's final verdicts */
	store_end_run(s.st, s.run.id, server_now(&s));
	status = 0;
out:
	if (status && s.sup)
		supervisor_stop_all(s.sup);
	teardown(&s);
	return status;
}
