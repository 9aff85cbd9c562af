/* gemsoakd's state while it runs, shared by the three files of the
 * server: the event loop (server.c), the leak guard's actions
 * (guard-actions.c) and the run's bookkeeping (run-book.c). Nothing else
 * includes it: the rest of the daemon sees server.h. */
#ifndef GS_SERVER_STATE_H
#define GS_SERVER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config.h"
#include "daemon/guard-actions.h"
#include "daemon/probe.h"
#include "daemon/rate-report.h"
#include "daemon/reload.h"
#include "daemon/retention.h"
#include "daemon/run-book.h"
#include "daemon/sampler.h"
#include "daemon/supervisor.h"
#include "device/device.h"

struct event;
struct event_base;
struct gs_run_state;
struct store;

struct server {
	const struct gs_config *cfg;
	const struct gs_device *dev;
	struct event_base *base;
	struct store *st;
	struct run_book run;        /* the run being recorded (run-book.h) */
	struct supervisor *sup;
	struct sampler sampler;
	struct retention retention;
	struct event *ev[14];
	int nev;
	uint64_t last_cycles;
	double last_t;
	struct reload_state reload;
	unsigned warnings;          /* events at warning or worse, for STATUS */
	char last_warning[64];
	struct guard_actions guard; /* the leak guard (guard-actions.h) */
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
};

/* Every event goes to the log and, when the store is open, the database. */
void server_emit(void *ctx, int prio, const char *source, const char *kind, const char *msg);

/* server_emit as an event sink for the daemon's parts. */
struct event_sink server_sink(struct server *s);

/* The run's time now: what its ticks, events and pauses are stamped with
 * (the wall clock before a run has begun). */
double server_now(const struct server *s);

/* Judge the run and store its verdicts (server.c says when). */
void server_judge(struct server *s);

#endif
