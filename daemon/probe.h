/* The attribution probe: when workloads run together at steady rates, a
 * regression on each one's cycles cannot tell which one leaks. The probe
 * pauses them in turn (SIGSTOP of the workload's process group, for one
 * period of [daemon] probe; daemon/probe-plan.h) and records each pause
 * in the table probe_pauses (run, workload, t_start, t_end on the ticks'
 * clock: Unix seconds) and as events, so that leak_trends can name the
 * workload whose pauses stop a floor's growth. A pause ends early when
 * the leak guard stops the workloads, a reload restarts or removes the
 * paused one, or the daemon stops; its row is closed then. */
#ifndef GS_DAEMON_PROBE_H
#define GS_DAEMON_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/supervisor.h"
#include "workloads/workload.h"

struct store;

struct probe {
	struct supervisor *sup;
	struct event_sink sink;
	uint64_t period;           /* periods begun since the start */
	char paused[WL_NAME_MAX];  /* the workload paused now; "" none */
	double t_start;            /* its pause's start (Unix seconds) */
	uint64_t cycles_start;     /* its cycles then */
	bool no_table_said;        /* the database has no probe_pauses table: said once */
	bool need_two;             /* probe = auto: no pause while fewer than two workloads run */
};

void probe_init(struct probe *p, struct supervisor *sup, struct event_sink sink);

/* A new period begins at Unix time t: end the pause of the last one,
 * start this one's, unless hold (the leak guard has stopped the
 * workloads). */
void probe_period(struct probe *p, struct store *st, int64_t run_id, double t, bool hold);

/* End the pause under way, if any, at t, with why (NULL: its period is
 * over); the workload is continued unless something already stopped or
 * replaced it. */
void probe_end(struct probe *p, struct store *st, int64_t run_id, double t, const char *why);

/* After a reload or the guard: close the pause whose workload is no
 * longer frozen (restarted, removed, stopped). */
void probe_check(struct probe *p, struct store *st, int64_t run_id, double t);

#endif
