#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/about.h"
#include "common/util.h"
#include "daemon/rate-report.h"

static const struct wl_config *config_of(const struct gs_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nworkloads; i++)
		if (strcmp(cfg->workloads[i].name, name) == 0)
			return &cfg->workloads[i];
	return NULL;
}

/* cycles/s measured, as people read them: 271.7, 3.8, 0.048 (a slow
 * workload's fraction of a cycle a second is not 0.0). buf is returned. */
static const char *per_s_text(double per_s, char *buf, size_t len)
{
	snprintf(buf, len, per_s >= 1 || per_s <= 0 ? "%.1f" : "%.2g", per_s);
	return buf;
}

/* ", one kept name per N cycles: first evidence after about T" for a
 * positive control at per_s cycles/s, else "". */
static void control_text(const struct wl_config *wc, double per_s, char *buf, size_t len)
{
	int64_t every = wl_get_opt(wc, "leak_every");
	buf[0] = '\0';
	if (every <= 0)
		return;
	char span[32] = "never (no cycle)";
	if (per_s > 0)
		about_span((double)every / per_s, span, sizeof(span));
	snprintf(buf, len, ", one kept name per %lld cycles: first evidence after %s", (long long)every, span);
}

/* Record the workload's cap and leak_every in run_props when this run has
 * not got them yet or they changed (a reload); nothing without a store. */
static void note_props(struct rate_report *r, const struct wl_config *wc, struct store *st, int64_t run_id)
{
	if (!st)
		return;
	int64_t cap = wl_get(wc, "rate"), every = wl_get_opt(wc, "leak_every"); /* cap in thousandths */
	struct rate_noted *n = NULL;
	for (size_t i = 0; i < r->nnoted && !n; i++)
		if (strcmp(r->noted[i].name, wc->name) == 0)
			n = &r->noted[i];
	if (n && n->run == run_id && n->cap == cap && n->leak_every == every)
		return;
	if (!n) {
		struct rate_noted *more = realloc(r->noted, (r->nnoted + 1) * sizeof(*more));
		if (!more)
			return;
		r->noted = more;
		n = &r->noted[r->nnoted++];
		snprintf(n->name, sizeof(n->name), "%s", wc->name);
	}
	char key[WL_NAME_MAX + 16], val[32];
	snprintf(key, sizeof(key), "rate.%s", wc->name);
	fmt_milli(cap, val, sizeof(val));
	int failed = store_run_prop(st, run_id, key, val);
	if (every > 0) {
		snprintf(key, sizeof(key), "leak_every.%s", wc->name);
		snprintf(val, sizeof(val), "%lld", (long long)every);
		failed |= store_run_prop(st, run_id, key, val);
	}
	/* not noted when the database refused it: tried again next round */
	*n = failed ? (struct rate_noted){ .run = -1 } : (struct rate_noted){ .run = run_id, .cap = cap, .leak_every = every };
	snprintf(n->name, sizeof(n->name), "%s", wc->name);
}

void rate_report_round(struct rate_report *r, const struct supervisor *sup, const struct gs_config *cfg,
		       struct store *st, int64_t run_id, double t, struct event_sink sink)
{
	/* the window: RATE_WATCH_INTERVALS of the sampling interval */
	r->watch.window_s = RATE_WATCH_INTERVALS * (double)cfg->interval_ms / 1000.0;
	for (size_t i = 0; i < supervisor_count(sup); i++) {
		const char *name = supervisor_name(sup, i);
		const struct wl_config *wc = config_of(cfg, name);
		if (!wc)
			continue;
		note_props(r, wc, st, run_id);
		double per_s, below_s;
		int change = rate_watch_round(&r->watch, name, wl_rate(wc), t, supervisor_cycles(sup, i),
					      supervisor_stopped_on_purpose(sup, i), &per_s, &below_s);
		if (change != RATE_BELOW && change != RATE_BACK)
			continue;
		char source[WL_NAME_MAX + 16], control[160], msg[400], cap[32], got[32];
		snprintf(source, sizeof(source), "workload %s", name);
		fmt_milli(wl_get(wc, "rate"), cap, sizeof(cap));
		control_text(wc, per_s, control, sizeof(control));
		per_s_text(per_s, got, sizeof(got));
		if (change == RATE_BELOW)
			snprintf(msg, sizeof(msg), "%s cycles/s over the last %.0f s, below half its rate of %s%s", got,
				 r->watch.window_s, cap, control);
		else
			snprintf(msg, sizeof(msg), "back to %s cycles/s of its rate of %s after %.0f s below half of it",
				 got, cap, below_s);
		sink.emit(sink.ctx, change == RATE_BELOW ? LOG_WARNING : LOG_NOTICE, source,
			  change == RATE_BELOW ? "workload-below-rate" : "workload-rate-back", msg);
	}
}

void rate_report_controls(const struct rate_report *r, const struct gs_config *cfg, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < cfg->nworkloads && used < len; i++) {
		const struct wl_config *wc = &cfg->workloads[i];
		const struct rate_track *tr = rate_watch_find(&r->watch, wc->name);
		char control[160];
		if (!tr || tr->per_s < 0)
			continue;
		control_text(wc, tr->per_s, control, sizeof(control));
		char got[32];
		if (control[0])
			used += (size_t)snprintf(buf + used, len - used, "%s%s: %s cycles/s%s", used ? "; " : "",
						 wc->name, per_s_text(tr->per_s, got, sizeof(got)), control);
	}
}

void rate_report_free(struct rate_report *r)
{
	rate_watch_free(&r->watch);
	free(r->noted);
	memset(r, 0, sizeof(*r));
}
