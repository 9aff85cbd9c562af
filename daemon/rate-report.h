/* The below-rate watch in the daemon: every round, each workload's cycles
 * (the supervisor's counters) against its `rate` (the running config)
 * through daemon/rate-watch.c; a workload that falls far below its cap
 * gets a workload-below-rate event, and one workload-rate-back when it is
 * back. Its cap, and a positive control's `leak_every`, are recorded as
 * run_props (rate.NAME, leak_every.NAME) for `gemsoak status`. */
#ifndef GS_RATE_REPORT_H
#define GS_RATE_REPORT_H

#include "daemon/config.h"
#include "daemon/rate-watch.h"
#include "daemon/supervisor.h"
#include "db/store.h"

struct rate_noted {
	char name[WL_NAME_MAX];
	int64_t run, cap, leak_every;  /* as last recorded in run_props (cap: rate in thousandths) */
};

struct rate_report {
	struct rate_watch watch;
	struct rate_noted *noted;
	size_t nnoted;
};

/* One sampling round at monotonic time t, of run run_id in st. */
void rate_report_round(struct rate_report *r, const struct supervisor *sup, const struct gs_config *cfg,
		       struct store *st, int64_t run_id, double t, struct event_sink sink);
/* What each positive control (a workload with `leak_every`) needs at the
 * rate it really gets, for the progress line, as "NAME: 2.6 cycles/s, one
 * kept name per 20000 cycles: first evidence after about 2 h" joined by
 * "; ". Empty when none has a full window yet. */
void rate_report_controls(const struct rate_report *r, const struct gs_config *cfg, char *buf, size_t len);
void rate_report_free(struct rate_report *r);

#endif
