#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/guard-actions.h"
#include "daemon/leak-watch.h"
#include "daemon/server-state.h"
#include "daemon/worker.h"
#include "db/store.h"

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
		if (!s->guard.meminfo_failed) {
			char msg[512], why[96];
			snprintf(msg, sizeof(msg), "%s: no %s value (%s); the leak guard waits for it", s->cfg->meminfo,
				 key, r == -ENOENT ? "no such line" : read_error(-r, why, sizeof(why)));
			server_emit(s, LOG_WARNING, "daemon", "leak-guard-blind", msg);
		}
		s->guard.meminfo_failed = true;
		return -1;
	}
	s->guard.meminfo_failed = false;
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
	struct guard_actions *g = &s->guard;
	char leaking[512] = "", counters[600] = "", msg[1400];
	_Static_assert(ARRAY_SIZE(guard_watch) <= ARRAY_SIZE(g->before), "guard_actions.before too small");
	sampler_tick(&s->sampler, server_now(s));
	watched_values(&s->sampler, g->before);
	server_judge(s);
	store_leaking_metrics(s->st, s->run.id, leaking, sizeof(leaking));
	int procs = supervisor_pause(s->sup);
	size_t used = 0;
	for (size_t i = 0; i < ARRAY_SIZE(guard_watch) && used < sizeof(counters); i++)
		if (g->before[i] >= 0)
			used += (size_t)snprintf(counters + used, sizeof(counters) - used, "%s%s %.0f",
						 used ? ", " : "", guard_watch[i], g->before[i]);
	snprintf(msg, sizeof(msg), "usable memory %lld kB is below the floor of %lld kB: stopped %d worker"
		 " process(es) at %s; leaking then: %s; the workloads start again at %lld kB",
		 (long long)avail_kb, (long long)g->state.floor_kb, procs, counters[0] ? counters : "no counters",
		 leaking[0] ? leaking : "none", (long long)g->state.resume_kb);
	server_emit(s, LOG_WARNING, "daemon", "leak-guard", msg);
	/* The verdicts reached before the stop, kept with the run. */
	char key[64];
	snprintf(key, sizeof(key), "leak_guard.%u.leaking", g->state.trips);
	store_run_prop(s->st, s->run.id, key, leaking);
	g->avail_kb = avail_kb;
	g->measure = true;
}

/* The first round after a stop: what the workers' files held is released
 * by now. On a leaking kernel that is the leak itself, so say how much. */
static void guard_freed(struct server *s, int64_t avail_kb)
{
	struct guard_actions *g = &s->guard;
	double after[ARRAY_SIZE(guard_watch)];
	char freed[700] = "", msg[1000];
	watched_values(&s->sampler, after);
	size_t used = 0;
	for (size_t i = 0; i < ARRAY_SIZE(guard_watch) && used < sizeof(freed); i++)
		if (g->before[i] >= 0 && after[i] >= 0)
			used += (size_t)snprintf(freed + used, sizeof(freed) - used, "%s%s %.0f -> %.0f (freed %.0f)",
						 used ? ", " : "", guard_watch[i], g->before[i], after[i],
						 g->before[i] - after[i]);
	snprintf(msg, sizeof(msg), "stopping the workers freed: %s; usable memory %lld -> %lld kB",
		 freed[0] ? freed : "nothing measured", (long long)g->avail_kb, (long long)avail_kb);
	server_emit(s, LOG_WARNING, "daemon", "leak-guard-freed", msg);
	g->measure = false;
}

void guard_actions_publish(struct server *s)
{
	pid_t pids[LEAK_WATCH_MAX_PIDS];
	if (s->guard.watch)
		leak_watch_set_pids(s->guard.watch, pids, supervisor_pids(s->sup, pids, ARRAY_SIZE(pids), false));
}

/* Continue what the watch froze; a workload the probe pauses stays
 * stopped (the watch's SIGCONT reaches every group it stopped). */
static void watch_thaw(struct server *s)
{
	if (!s->guard.watch)
		return;
	leak_watch_thaw(s->guard.watch);
	supervisor_refreeze(s->sup);
}

void guard_actions_round(struct server *s)
{
	struct guard_actions *g = &s->guard;
	int64_t avail = meminfo_kb(s, "MemAvailable", true);
	enum leak_guard_action a = leak_guard_decide(&g->state, avail, now_monotonic());
	if (a == LEAK_GUARD_STOP) {
		guard_stop(s, avail);
		/* killed by now; what the watch froze needs no SIGCONT, but the
		 * watch stays disarmed until the workloads start again */
		probe_check(&s->probe, s->st, s->run.id, server_now(s));
	} else if (a == LEAK_GUARD_RESUME) {
		watch_thaw(s);
		char msg[256];
		snprintf(msg, sizeof(msg), "usable memory %lld kB is above %lld kB again after %.0f s: the workloads"
			 " start again", (long long)avail, (long long)g->state.resume_kb,
			 now_monotonic() - g->state.stopped_at);
		supervisor_resume(s->sup);
		server_emit(s, LOG_NOTICE, "daemon", "leak-guard-resume", msg);
	}
	guard_actions_publish(s);
}

/* The watch froze the workers while the loop was busy (or it wakes us
 * now): say so, and decide as the guard always does. When the loop finds
 * memory back above the floor, the frozen ones go on. */
void guard_actions_watch(struct server *s)
{
	struct guard_actions *g = &s->guard;
	int64_t seen;
	int groups = leak_watch_take(g->watch, &seen);
	if (groups < 0)
		return;
	if (groups > 0) { /* else no worker was running: the guard decides alone */
		char msg[256];
		snprintf(msg, sizeof(msg), "usable memory %lld kB below the floor of %lld kB: the guard's watch"
			 " froze %d workload process group(s) at once", (long long)seen, (long long)g->state.floor_kb,
			 groups);
		server_emit(s, LOG_WARNING, "daemon", "leak-guard-freeze", msg);
	}
	guard_actions_round(s);
	if (!g->state.stopped)
		watch_thaw(s);
}

void guard_actions_sample(struct server *s)
{
	/* This round measures a stop before it (not one decided now), and a
	 * freeze during the round comes before the hang check: frozen workers
	 * are not hung. */
	bool measure = s->guard.measure;
	if (s->guard.watch)
		guard_actions_watch(s);
	if (measure)
		guard_freed(s, meminfo_kb(s, "MemAvailable", true));
}

/* The recorder must outlive what it records: a low OOM score for the
 * daemon (the workers raise theirs), and the guard's levels. */
void guard_actions_init(struct server *s)
{
	struct guard_actions *g = &s->guard;
	int r = set_oom_score_adj(GS_DAEMON_OOM_SCORE_ADJ);
	if (r)
		log_notice("cannot lower the daemon's oom_score_adj to %d: %s", GS_DAEMON_OOM_SCORE_ADJ,
			   strerror(-r));
	int64_t total = s->cfg->memory_floor_kb < 0 ? meminfo_kb(s, "MemTotal", false) : 0;
	leak_guard_init(&g->state, s->cfg->memory_floor_kb, s->cfg->memory_resume_kb, total);
	if (g->state.floor_kb <= 0)
		return;
	log_notice("leak guard: the workloads stop below %lld kB of usable memory (MemAvailable less"
		   " SReclaimable, %s) and start again"
		   " above %lld kB", (long long)g->state.floor_kb, s->cfg->meminfo, (long long)g->state.resume_kb);
	r = leak_watch_start(&g->watch, s->cfg->meminfo, g->state.floor_kb, LEAK_GUARD_PERIOD_S, &g->watch_fd);
	if (r)
		log_warn("leak guard: no watch thread (%s): a long sampling round delays the guard",
			    strerror(-r));
}

void guard_actions_free(struct guard_actions *g)
{
	leak_watch_stop(g->watch);
}
