#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "daemon/probe.h"
#include "daemon/probe-plan.h"
#include "db/store.h"

void probe_init(struct probe *p, struct supervisor *sup, struct event_sink sink)
{
	memset(p, 0, sizeof(*p));
	p->period = 1; /* period 0 began with the daemon: all running */
	p->sup = sup;
	p->sink = sink;
}

/* The pause's row; a database without the table (a schema before
 * probe_pauses) keeps the events only, which is said once. */
static void record(struct probe *p, struct store *st, int r)
{
	if (r == 0)
		return;
	if (r == STORE_NO_TABLE) {
		if (!p->no_table_said)
			p->sink.emit(p->sink.ctx, LOG_WARNING, "daemon", "probe-unrecorded",
				     "the database has no probe_pauses table (an older schema): the probe's pauses"
				     " are recorded as events only, and leak_trends cannot use them");
		p->no_table_said = true;
		return;
	}
	log_err("cannot record the probe's pause: %s", store_errmsg(st));
}

void probe_end(struct probe *p, struct store *st, int64_t run_id, double t, const char *why)
{
	if (!p->paused[0])
		return;
	int i = supervisor_find(p->sup, p->paused);
	uint64_t cycles = 0;
	bool frozen = i >= 0 && supervisor_frozen(p->sup, (size_t)i);
	if (i >= 0) {
		cycles = supervisor_cycles(p->sup, (size_t)i);
		supervisor_freeze(p->sup, (size_t)i, false);
	}
	record(p, st, store_probe_pause_end(st, run_id, p->paused, p->t_start, t));
	char msg[400];
	if (frozen)
		snprintf(msg, sizeof(msg), "workload %s continued after %.1f s%s%s; its cycles %llu -> %llu",
			 p->paused, t - p->t_start, why ? ": " : "", why ? why : "",
			 (unsigned long long)p->cycles_start, (unsigned long long)cycles);
	else
		snprintf(msg, sizeof(msg), "the pause of workload %s ends after %.1f s: %s", p->paused,
			 t - p->t_start, why ? why : "it no longer runs");
	p->sink.emit(p->sink.ctx, LOG_INFO, "daemon", "probe-resume", msg);
	p->paused[0] = '\0';
}

void probe_period(struct probe *p, struct store *st, int64_t run_id, double t, bool hold)
{
	probe_end(p, st, run_id, t, NULL);
	size_t n = supervisor_count(p->sup);
	int turn = probe_plan_paused(p->period++, n);
	/* one workload alone needs no telling apart */
	if (turn < 0 || hold || (p->need_two && n < 2))
		return;
	const char *name = supervisor_name(p->sup, (size_t)turn);
	if (supervisor_freeze(p->sup, (size_t)turn, true) < 0) {
		log_info("probe: workload %s is not running (restarting or done): no pause this period", name);
		return;
	}
	snprintf(p->paused, sizeof(p->paused), "%s", name);
	p->t_start = t;
	p->cycles_start = supervisor_cycles(p->sup, (size_t)turn);
	record(p, st, store_probe_pause_begin(st, run_id, name, t));
	char msg[300];
	snprintf(msg, sizeof(msg), "workload %s paused (SIGSTOP of its process group) at %llu cycles, to tell"
		 " the workloads' leaks apart", name, (unsigned long long)p->cycles_start);
	p->sink.emit(p->sink.ctx, LOG_NOTICE, "daemon", "probe-pause", msg);
}

void probe_check(struct probe *p, struct store *st, int64_t run_id, double t)
{
	if (!p->paused[0])
		return;
	int i = supervisor_find(p->sup, p->paused);
	if (i < 0)
		probe_end(p, st, run_id, t, "the workload was removed");
	else if (!supervisor_frozen(p->sup, (size_t)i))
		probe_end(p, st, run_id, t, "the workload was stopped or restarted");
}
