#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/run-continue.h"

/* Why the last run cannot go on; NULL when it can. */
static const char *new_run_reason(const struct run_tail *last, const struct run_info *ri,
				  bool force_new)
{
	if (force_new)
		return "a new run was asked for (--new-run)";
	/* Counters are the kernel's since its boot, on one machine and
	 * device: a run goes on only there. */
	if (last->merged)
		return "the last run was merged from another database";
	if (strcmp(last->hostname, ri->hostname ? ri->hostname : "") != 0)
		return "the host name changed";
	if (strcmp(last->device, ri->device ? ri->device : "") != 0)
		return "the device changed";
	if (!last->boot_id[0] || strcmp(last->boot_id, ri->boot_id ? ri->boot_id : "") != 0)
		return last->boot_id[0] ? "the machine booted again (another boot id)"
					: "the last run recorded no boot id";
	if (strcmp(last->kernel_release, ri->kernel_release ? ri->kernel_release : "") != 0)
		return "the kernel release changed";
	if (strcmp(last->config_text, ri->config_text ? ri->config_text : "") != 0)
		return "the configuration changed";
	return NULL;
}

/* Record the run's clock anchor with it, for a restart in the same boot. */
static int record_clock(struct store *st, int64_t run_id, const struct run_clock *c)
{
	char v[64];
	snprintf(v, sizeof(v), "%.6f", c->wall0);
	if (store_run_prop(st, run_id, "clock.wall0", v))
		return -1;
	snprintf(v, sizeof(v), "%.6f", c->boot0);
	return store_run_prop(st, run_id, "clock.boot0", v);
}

/* The continued run's clock: the one it recorded when it is of this
 * boot (boottime only grows within one), else anchored so that its time
 * goes on from its last tick, or from now when that is later. */
static bool continue_clock(const struct run_tail *last, double end, double now, double boot,
			   struct run_clock *c)
{
	if (last->clock_boot0 > 0 && last->clock_boot0 <= boot) {
		run_clock_init(c, last->clock_wall0, last->clock_boot0, now, boot);
		return false;
	}
	run_clock_init(c, now > end ? now : end, boot, now, boot);
	return true;
}

int run_start(struct store *st, const struct run_info *ri, bool force_new, double now, double boot,
	      struct run_start *out)
{
	struct run_tail last;
	memset(out, 0, sizeof(*out));
	int found = store_last_run(st, &last);
	if (found < 0)
		return -1;
	const char *reason = found ? new_run_reason(&last, ri, force_new) : "the database has no run yet";
	if (!reason) {
		double end = last.last_t > last.stopped ? last.last_t : last.stopped;
		if (end <= 0)
			end = last.started;
		out->run_id = last.id;
		out->continued = true;
		out->cycles_base = last.last_cycles;
		bool anchored = continue_clock(&last, end, now, boot, &out->clock);
		double run_now = run_clock_at(&out->clock, boot);
		int used = snprintf(out->why, sizeof(out->why),
				    "run %lld continues after %.0f s without samples (same host, boot, device, kernel"
				    " and configuration)", (long long)last.id, run_now - end);
		if (now - run_now >= RUN_CLOCK_STEP_S || run_now - now >= RUN_CLOCK_STEP_S)
			snprintf(out->why + used, sizeof(out->why) - (size_t)used,
				 "; the wall clock is %+.0f s from the run's own clock, which goes on", now - run_now);
		free(last.config_text);
		if (anchored && record_clock(st, last.id, &out->clock))
			return -1;
		return store_resume_run(st, last.id);
	}
	snprintf(out->why, sizeof(out->why), "new run: %s", reason);
	free(last.config_text);
	if (store_begin_run(st, now, ri, &out->run_id))
		return -1;
	run_clock_init(&out->clock, now, boot, now, boot);
	if (record_clock(st, out->run_id, &out->clock))
		return -1;
	return ri->boot_id && ri->boot_id[0] ? store_run_prop(st, out->run_id, "boot_id", ri->boot_id) : 0;
}
