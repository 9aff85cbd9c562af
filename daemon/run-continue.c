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

int run_start(struct store *st, const struct run_info *ri, bool force_new, double now,
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
		snprintf(out->why, sizeof(out->why),
			 "run %lld continues after %.0f s without samples (same host, boot, device, kernel and"
			 " configuration)",
			 (long long)last.id, now - end);
		free(last.config_text);
		return store_resume_run(st, last.id);
	}
	snprintf(out->why, sizeof(out->why), "new run: %s", reason);
	free(last.config_text);
	if (store_begin_run(st, now, ri, &out->run_id))
		return -1;
	return ri->boot_id && ri->boot_id[0] ? store_run_prop(st, out->run_id, "boot_id", ri->boot_id) : 0;
}
