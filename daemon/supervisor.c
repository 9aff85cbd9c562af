#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/fork-clean.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/config.h"
#include "daemon/supervisor.h"
#include "daemon/worker.h"

#define STABLE_AFTER_S 60.0 /* a workload that ran this long restarts quickly again */
#define STOP_GRACE_S 2.0    /* from SIGTERM to SIGKILL when a workload stops */

enum inst_state {
	INST_RUNNING,
	INST_RESTARTING,   /* killing the survivors of a death, then backoff */
	INST_BACKOFF,      /* waiting for the restart timer */
	INST_FINISHING,    /* its duration ended: killing the rest */
	INST_DONE,
	INST_PAUSED,       /* stopped by supervisor_pause until supervisor_resume */
};

struct instance {
	struct supervisor *sup;
	const struct wl_config *cfg;
	int nprocs;
	pid_t *pids;              /* 0 when that process is not running */
	pid_t pgid;               /* the workers' process group: the first one's pid */
	int alive;
	struct wl_counters *ctr;  /* nprocs entries, MAP_SHARED with the workers */
	size_t ctr_bytes;
	void *chan;
	int report[2];            /* [0] daemon end, [1] workers' end */
	struct event *report_ev, *restart_ev;
	enum inst_state state;
	double started;           /* monotonic time of the last start */
	uint64_t progress_cycles; /* cycles at the last time they advanced */
	double progress_t;        /* ... and when that was */
	double deadline;          /* monotonic; 0 = runs forever */
	int backoff_ms;
	unsigned restarts;
	/* The device is gone or cannot be opened: logged once, then the
	 * restarts go on quietly (with backoff) until cycles advance again. */
	bool device_down;
	double down_since;
	unsigned down_restarts;
	/* Stopped (SIGSTOP) by supervisor_freeze: not hung, and stopped again
	 * when it starts anew, until thawed. */
	bool frozen;
};

struct supervisor {
	struct event_base *base;
	const struct gs_device *dev;
	struct event_sink sink;
	struct gs_user user;
	int backoff_min_ms, backoff_max_ms;
	struct instance **inst;
	size_t n;
	uint64_t retired_cycles;  /* of workloads a reload removed: totals never drop */
};

__attribute__((format(printf, 4, 5)))
static void emit(struct instance *in, int prio, const char *kind, const char *fmt, ...)
{
	char msg[512], source[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(source, sizeof(source), "workload %s", in->cfg->name);
	in->sup->sink.emit(in->sup->sink.ctx, prio, source, kind, msg);
}

static uint64_t instance_cycles(const struct instance *in)
{
	uint64_t sum = 0;
	for (int j = 0; j < in->nprocs; j++)
		sum += atomic_load_explicit(&in->ctr[j].cycles, memory_order_relaxed);
	return sum;
}

/* Signal an instance's process group: its workers and whatever they
 * forked, except what moved to a group of its own (x-restart's restart
 * command). Each worker by pid as well, in case it died before joining. */
static void kill_all(struct instance *in, int sig)
{
	if (in->pgid > 0)
		kill(-in->pgid, sig);
	for (int i = 0; i < in->nprocs; i++)
		if (in->pids[i] > 0)
			kill(in->pids[i], sig);
}

/* Restart the instance after its backoff, which then doubles (up to the
 * maximum). */
static void schedule_restart(struct instance *in)
{
	struct timeval tv = { in->backoff_ms / 1000, (in->backoff_ms % 1000) * 1000 };
	evtimer_add(in->restart_ev, &tv);
	in->state = INST_BACKOFF;
	in->backoff_ms = in->backoff_ms * 2 > in->sup->backoff_max_ms ? in->sup->backoff_max_ms : in->backoff_ms * 2;
}

static void report_cb(evutil_socket_t fd, short what, void *arg);

/* The workers' report socket, made at the first start that can: fds may
 * have run out at the one before. 0 or -errno. */
static int open_report(struct instance *in)
{
	if (in->report[0] >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, in->report) < 0) {
		in->report[0] = in->report[1] = -1;
		return -errno;
	}
	in->report_ev = event_new(in->sup->base, in->report[0], EV_READ | EV_PERSIST, report_cb, in);
	if (!in->report_ev || event_add(in->report_ev, NULL) < 0) {
		if (in->report_ev)
			event_free(in->report_ev);
		in->report_ev = NULL;
		close(in->report[0]);
		close(in->report[1]);
		in->report[0] = in->report[1] = -1;
		return -ENOMEM;
	}
	return 0;
}

/* Fork every process of the instance; 0, or -errno when none started. */
static int start_instance(struct instance *in)
{
	int r = open_report(in);
	if (r < 0)
		return r;
	in->chan = wl_channels_open(in->cfg);
	if (!in->chan)
		return -errno;
	pid_t self = getpid();
	in->started = now_monotonic();
	/* Progress is counted from here: cycles of the last life that no
	 * check saw are not this one's. */
	in->progress_t = in->started;
	in->progress_cycles = instance_cycles(in);
	in->pgid = 0; /* the first worker's fork makes the group */
	for (int i = 0; i < in->nprocs; i++) {
		/* Not fork(): a worker must never run libevent's handlers. */
		pid_t pid = fork_clean();
		if (pid < 0) {
			int e = errno;
			emit(in, LOG_ERR, "fork-failed", "fork: %s", strerror(e));
			/* Let the reaper treat it like a death: kill what started. */
			kill_all(in, SIGKILL);
			in->state = INST_RESTARTING;
			return in->alive ? 0 : -e;
		}
		if (pid == 0) {
			struct worker_start w = {
				.cfg = in->cfg, .dev = in->sup->dev, .user = &in->sup->user,
				.index = i, .nprocs = in->nprocs, .pgid = in->pgid, .daemon_pid = self,
				.ctr = &in->ctr[i], .deadline = in->deadline, .chan = in->chan,
				.report_fd = in->report[1],
			};
			worker_main(&w);
		}
		if (!in->pgid)
			in->pgid = pid;
		setpgid(pid, in->pgid);
		in->pids[i] = pid;
		in->alive++;
	}
	in->state = INST_RUNNING;
	if (in->frozen)
		kill_all(in, SIGSTOP);
	return 0;
}

/* The start-failed event of a workload that could not start and is
 * tried again in retry_ms (-1: never); fds that ran out name the limit. */
static void start_failed(struct supervisor *sup, const struct wl_config *cfg, int err, int retry_ms)
{
	char msg[384], lim[64] = "", retry[64] = "";
	struct rlimit rl;
	if ((err == EMFILE || err == ENFILE) && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		snprintf(lim, sizeof(lim), " (RLIMIT_NOFILE %llu)", (unsigned long long)rl.rlim_cur);
	if (retry_ms >= 0)
		snprintf(retry, sizeof(retry), "; trying again in %.1f s", retry_ms / 1000.0);
	snprintf(msg, sizeof(msg), "cannot start workload %s: %s%s%s", cfg->name, strerror(err), lim, retry);
	sup->sink.emit(sup->sink.ctx, LOG_ERR, "daemon", "start-failed", msg);
}

static void restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct instance *in = arg;
	in->restarts++;
	if (!in->device_down)
		emit(in, LOG_NOTICE, "worker-restart", "restarting (restart %u)", in->restarts);
	else if (in->down_restarts++ == 0)
		emit(in, LOG_NOTICE, "worker-restart", "restarting (restart %u); further restarts while "
		     "the device is unavailable are not recorded", in->restarts);
	else
		log_info("workload %s: restarting (restart %u), the device is still unavailable",
			 in->cfg->name, in->restarts);
	int r = start_instance(in);
	if (r < 0) {
		start_failed(in->sup, in->cfg, -r, in->backoff_ms);
		schedule_restart(in);
	}
}

static bool is_device_report(const char *kind)
{
	return strcmp(kind, "device") == 0 || strcmp(kind, "device-gone") == 0;
}

/* Read up to max reports; false when the socket had no more. */
static bool read_reports(struct instance *in, int max)
{
	struct wl_msg m;
	for (int i = 0; i < max; i++) {
		ssize_t r = recv(in->report[0], &m, sizeof(m), MSG_DONTWAIT);
		if (r != (ssize_t)sizeof(m))
			return false;
		m.kind[sizeof(m.kind) - 1] = m.text[sizeof(m.text) - 1] = '\0';
		if (!is_device_report(m.kind)) {
			emit(in, LOG_WARNING, m.kind, "process %u: %s", m.index, m.text);
		} else if (!in->device_down) {
			emit(in, LOG_WARNING, m.kind, "process %u: %s; restarting with backoff until it works again",
			     m.index, m.text);
			in->device_down = true;
			in->down_since = now_monotonic();
			in->down_restarts = 0;
		} else {
			/* Every restart while the device is away says the same. */
			log_info("workload %s: process %u: %s", in->cfg->name, m.index, m.text);
		}
	}
	return true;
}

static void report_cb(evutil_socket_t fd, short what, void *arg)
{
	/* Bounded per callback so a flooding worker cannot starve the loop. */
	read_reports(arg, 64);
}

struct supervisor *supervisor_new(struct event_base *base, const struct gs_device *dev,
				  struct event_sink sink)
{
	struct supervisor *sup = calloc(1, sizeof(*sup));
	if (sup) {
		sup->base = base;
		sup->dev = dev;
		sup->sink = sink;
		sup->backoff_min_ms = GS_DEFAULT_BACKOFF_MS;
		sup->backoff_max_ms = GS_DEFAULT_BACKOFF_MAX_MS;
	}
	return sup;
}

static void free_instance(struct instance *in)
{
	if (in->report_ev)
		event_free(in->report_ev);
	if (in->restart_ev)
		event_free(in->restart_ev);
	if (in->report[0] >= 0) {
		close(in->report[0]);
		close(in->report[1]);
	}
	if (in->chan)
		wl_channels_close(in->cfg, in->chan);
	if (in->ctr)
		munmap(in->ctr, in->ctr_bytes);
	free(in->pids);
	free(in);
}

void supervisor_set_user(struct supervisor *sup, const struct gs_user *user)
{
	sup->user = *user;
}

void supervisor_set_backoff(struct supervisor *sup, int min_ms, int max_ms)
{
	sup->backoff_min_ms = min_ms;
	sup->backoff_max_ms = max_ms;
}

int supervisor_add(struct supervisor *sup, const struct wl_config *cfg)
{
	struct instance *in = calloc(1, sizeof(*in));
	struct instance **arr = realloc(sup->inst, (sup->n + 1) * sizeof(*arr));
	if (arr)
		sup->inst = arr;
	if (!in || !arr) {
		free(in);
		start_failed(sup, cfg, ENOMEM, -1);
		return -ENOMEM;
	}
	in->sup = sup;
	in->cfg = cfg;
	in->report[0] = in->report[1] = -1;
	in->nprocs = cfg->type->nprocs(cfg);
	in->backoff_ms = in->sup->backoff_min_ms;
	int64_t duration = wl_get(cfg, "duration");
	in->deadline = duration > 0 ? now_monotonic() + (double)duration / 1000.0 : 0;
	in->pids = calloc((size_t)in->nprocs, sizeof(pid_t));
	in->ctr_bytes = (size_t)in->nprocs * sizeof(struct wl_counters);
	in->ctr = mmap(NULL, in->ctr_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (in->ctr == MAP_FAILED)
		in->ctr = NULL;
	in->restart_ev = evtimer_new(sup->base, restart_cb, in);
	if (!in->pids || !in->ctr || !in->restart_ev) {
		free_instance(in);
		start_failed(sup, cfg, ENOMEM, -1);
		return -ENOMEM;
	}
	sup->inst[sup->n++] = in;
	/* One that cannot start now (fds ran out) stays, and is tried again
	 * with backoff like a workload whose worker died. */
	int r = start_instance(in);
	if (r < 0) {
		start_failed(sup, cfg, -r, in->backoff_ms);
		schedule_restart(in);
		return 1;
	}
	return 0;
}

/* What a worker's exit status means: the statuses of workloads/workload.h. */
static const char *exit_meaning(int code)
{
	switch (code) {
	case WL_EXIT_DEVICE: return " (it cannot use the device)";
	case WL_EXIT_SETUP: return " (a setup step failed: a fork or a thread)";
	case WL_EXIT_NOFILE: return " (the fds it keeps do not fit under RLIMIT_NOFILE)";
	case WL_EXIT_USER: return " (it cannot become [daemon] user)";
	}
	return "";
}

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %s%s", sigabbrev_np(WTERMSIG(status)) ?: "?",
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "exited with status %d%s", WEXITSTATUS(status), exit_meaning(WEXITSTATUS(status)));
}

static void after_death(struct instance *in)
{
	if (in->alive > 0)
		return;
	in->pgid = 0; /* its last member may be gone: the id may be reused */
	wl_channels_close(in->cfg, in->chan);
	in->chan = NULL;
	if (in->state == INST_FINISHING) {
		in->state = INST_DONE;
		emit(in, LOG_NOTICE, "workload-finished", "its duration is over");
		return;
	}
	if (in->state != INST_RESTARTING)
		return;
	if (now_monotonic() - in->started >= STABLE_AFTER_S)
		in->backoff_ms = in->sup->backoff_min_ms;
	schedule_restart(in);
}

static void process_exit(struct instance *in, int idx, int status)
{
	in->pids[idx] = 0;
	in->alive--;
	/* What the worker said before it died explains its death: read it
	 * first (a device report marks the device down). */
	while (read_reports(in, 64))
		;
	if (in->state == INST_RUNNING) {
		bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0 && in->deadline > 0 &&
				now_monotonic() >= in->deadline;
		bool quiet = in->device_down && in->down_restarts > 0 && WIFEXITED(status) &&
			     WEXITSTATUS(status) == WL_EXIT_DEVICE;
		if (finished) {
			in->state = INST_FINISHING;
		} else if (quiet) {
			log_info("workload %s: process %d cannot use the device yet; restarting with backoff",
				 in->cfg->name, idx);
			in->state = INST_RESTARTING;
		} else {
			char how[96];
			describe_status(status, how, sizeof(how));
			emit(in, LOG_WARNING, "worker-exit", "process %d %s; restarting the workload",
			     idx, how);
			in->state = INST_RESTARTING;
		}
		/* The survivors wait on their dead peer: the workload restarts as a whole. */
		kill_all(in, SIGKILL);
	}
	after_death(in);
}

/* Cycles advance again after the device was gone: say so once, and let
 * the next death restart quickly. */
static void device_back(struct instance *in, double now)
{
	emit(in, LOG_NOTICE, "device-back", "the device works again: cycles advance after %u restart(s) "
	     "over %.0f s", in->down_restarts, now - in->down_since);
	in->device_down = false;
	in->backoff_ms = in->sup->backoff_min_ms;
}

/* A workload whose cycles stand still is hung (a worker stopped, blocked in
 * the kernel, or waiting on a dead peer): kill it so the reaper restarts it. */
void supervisor_check_progress(struct supervisor *sup, double stall_s)
{
	double now = now_monotonic();
	for (size_t i = 0; i < sup->n; i++) {
		struct instance *in = sup->inst[i];
		if (in->state != INST_RUNNING || in->frozen)
			continue;
		uint64_t c = supervisor_cycles(sup, i);
		if (c != in->progress_cycles) {
			in->progress_cycles = c;
			in->progress_t = now;
			/* Only a new life's cycles say the device is back: the
			 * old one may finish a cycle after its report. */
			if (in->device_down && in->down_restarts > 0)
				device_back(in, now);
			continue;
		}
		double rate = wl_rate(in->cfg);
		double allowed = rate > 0 && 2.0 / rate > stall_s ? 2.0 / rate : stall_s;
		/* A cycle may take up to the workload's own timeout (a restart command). */
		allowed += (double)wl_get_opt(in->cfg, "timeout") / 1000.0;
		if (now - in->progress_t < allowed)
			continue;
		emit(in, LOG_WARNING, "worker-hang", "no cycle completed for %.0f s; killing and restarting the workload",
		     now - in->progress_t);
		in->state = INST_RESTARTING;
		kill_all(in, SIGKILL);
	}
}

void supervisor_reap(struct supervisor *sup)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < sup->n; i++) {
			struct instance *in = sup->inst[i];
			for (int j = 0; j < in->nprocs; j++)
				if (in->pids[j] == pid)
					process_exit(in, j, status);
		}
	}
}

/* Forget those of an instance's processes that have exited (only its own
 * pids are waited for, so other workloads' exits stay for the reaper);
 * returns how many are still alive. */
static int reap_own(struct instance *in)
{
	for (int j = 0; j < in->nprocs && in->alive > 0; j++) {
		int status;
		if (in->pids[j] <= 0)
			continue;
		pid_t r = waitpid(in->pids[j], &status, WNOHANG);
		if (r == in->pids[j] || (r < 0 && errno == ECHILD)) {
			in->pids[j] = 0;
			in->alive--;
		}
	}
	return in->alive;
}

/* Stop n instances for good (no restart): send sig to their processes,
 * SIGKILL what is left after grace_s seconds (and again every 5 s), and
 * return once every one of them is reaped. */
static void stop_and_reap(struct instance **in, size_t n, int sig, double grace_s)
{
	for (size_t i = 0; i < n; i++) {
		evtimer_del(in[i]->restart_ev);
		in[i]->state = INST_DONE;
		kill_all(in[i], sig);
		/* A stopped process acts on nothing but SIGKILL until continued. */
		if (in[i]->frozen)
			kill_all(in[i], SIGCONT);
		in[i]->frozen = false;
	}
	double give_up = now_monotonic() + grace_s;
	for (;;) {
		int alive = 0;
		for (size_t i = 0; i < n; i++)
			alive += reap_own(in[i]);
		if (!alive)
			break;
		if (now_monotonic() > give_up) {
			for (size_t i = 0; i < n; i++)
				kill_all(in[i], SIGKILL);
			give_up = now_monotonic() + 5.0;
		}
		usleep(20000);
	}
}

void supervisor_stop_all(struct supervisor *sup)
{
	stop_and_reap(sup->inst, sup->n, SIGTERM, STOP_GRACE_S);
}

int supervisor_pause(struct supervisor *sup)
{
	int procs = 0;
	for (size_t i = 0; i < sup->n; i++) {
		struct instance *in = sup->inst[i];
		if (in->state == INST_DONE || in->state == INST_PAUSED)
			continue;
		procs += in->alive;
		/* A workload whose duration is over stays done. */
		bool finished = in->state == INST_FINISHING;
		/* SIGKILL at once: memory is short, and all a worker holds is
		 * released by the kernel when its files close. */
		stop_and_reap(&in, 1, SIGKILL, STOP_GRACE_S);
		in->pgid = 0;
		if (in->chan)
			wl_channels_close(in->cfg, in->chan);
		in->chan = NULL;
		in->state = finished ? INST_DONE : INST_PAUSED;
	}
	return procs;
}

void supervisor_resume(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++) {
		struct instance *in = sup->inst[i];
		if (in->state != INST_PAUSED)
			continue;
		in->backoff_ms = sup->backoff_min_ms;
		int r = start_instance(in);
		if (r < 0) {
			start_failed(sup, in->cfg, -r, in->backoff_ms);
			schedule_restart(in);
		}
	}
}

int supervisor_freeze(struct supervisor *sup, size_t i, bool frozen)
{
	struct instance *in = sup->inst[i];
	if (frozen && (in->state != INST_RUNNING || in->alive == 0))
		return -ESRCH;
	if (frozen == in->frozen)
		return 0;
	in->frozen = frozen;
	kill_all(in, frozen ? SIGSTOP : SIGCONT);
	if (!frozen) {
		/* The stall is counted from the thaw: the pause was no hang. */
		in->progress_t = now_monotonic();
		in->progress_cycles = instance_cycles(in);
	}
	return 0;
}

bool supervisor_frozen(const struct supervisor *sup, size_t i)
{
	return sup->inst[i]->frozen;
}

void supervisor_refreeze(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++)
		if (sup->inst[i]->frozen)
			kill_all(sup->inst[i], SIGSTOP);
}

int supervisor_find(const struct supervisor *sup, const char *name)
{
	for (size_t i = 0; i < sup->n; i++)
		if (strcmp(sup->inst[i]->cfg->name, name) == 0)
			return (int)i;
	return -1;
}

void supervisor_remove(struct supervisor *sup, size_t i)
{
	struct instance *in = sup->inst[i];
	stop_and_reap(&in, 1, SIGTERM, STOP_GRACE_S);
	sup->retired_cycles += supervisor_cycles(sup, i);
	free_instance(in);
	memmove(&sup->inst[i], &sup->inst[i + 1], (sup->n - i - 1) * sizeof(*sup->inst));
	sup->n--;
}

void supervisor_rebind(struct supervisor *sup, size_t i, const struct wl_config *cfg)
{
	sup->inst[i]->cfg = cfg;
}

void supervisor_free(struct supervisor *sup)
{
	if (!sup)
		return;
	for (size_t i = 0; i < sup->n; i++)
		free_instance(sup->inst[i]);
	free(sup->inst);
	free(sup);
}

size_t supervisor_count(const struct supervisor *sup)
{
	return sup->n;
}

const char *supervisor_name(const struct supervisor *sup, size_t i)
{
	return sup->inst[i]->cfg->name;
}

uint64_t supervisor_cycles(const struct supervisor *sup, size_t i)
{
	return instance_cycles(sup->inst[i]);
}

uint64_t supervisor_total_cycles(const struct supervisor *sup)
{
	uint64_t sum = sup->retired_cycles;
	for (size_t i = 0; i < sup->n; i++)
		sum += supervisor_cycles(sup, i);
	return sum;
}

uint64_t supervisor_errors(const struct supervisor *sup, size_t i, enum gs_ioctl ioc, int err)
{
	const struct instance *in = sup->inst[i];
	uint64_t sum = 0;
	for (int j = 0; j < in->nprocs; j++)
		sum += atomic_load_explicit(&in->ctr[j].errors[ioc][err], memory_order_relaxed);
	return sum;
}

const char *supervisor_gauge(const struct supervisor *sup, size_t i, int g, int64_t *value)
{
	const struct instance *in = sup->inst[i];
	const struct wl_gauge *gauges = in->cfg->type->gauges;
	if (!gauges || g >= WL_MAX_GAUGES || !gauges[g].name)
		return NULL;
	*value = 0;
	for (int j = 0; j < in->nprocs; j++)
		*value += atomic_load_explicit(&in->ctr[j].gauges[g], memory_order_relaxed);
	return gauges[g].name;
}

pid_t supervisor_pgid(const struct supervisor *sup, size_t i)
{
	return sup->inst[i]->pgid;
}

int supervisor_alive(const struct supervisor *sup)
{
	int n = 0;
	for (size_t i = 0; i < sup->n; i++)
		n += sup->inst[i]->alive;
	return n;
}

size_t supervisor_pids(const struct supervisor *sup, pid_t *pids, size_t max, bool with_frozen)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->n; i++)
		for (int j = 0; j < sup->inst[i]->nprocs && n < max && (with_frozen || !sup->inst[i]->frozen); j++)
			if (sup->inst[i]->pids[j] > 0)
				pids[n++] = sup->inst[i]->pids[j];
	return n;
}

bool supervisor_stopped_on_purpose(const struct supervisor *sup, size_t i)
{
	const struct instance *in = sup->inst[i];
	return in->frozen || in->state == INST_PAUSED || in->state == INST_FINISHING || in->state == INST_DONE;
}
