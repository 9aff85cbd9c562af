/* Each workload's cumulative cycles, its type's gauges and ioctl error
 * counts, read from the workers' shared counters. Error metrics appear once an error occurred:
 * workload.NAME.errors.IOCTL.ERRNO. */
#include <stdio.h>
#include <string.h>

#include "sources/sources.h"
#include "sources/workers.h"

static const char *errno_label(int e, char *buf, size_t len)
{
	const char *name = e < GS_ERRNO_SLOTS - 1 ? strerrorname_np(e) : NULL;
	if (name)
		return name;
	snprintf(buf, len, e < GS_ERRNO_SLOTS - 1 ? "E%d" : "Eother", e);
	return buf;
}

const char *workload_gauge_unit(const char *gauge)
{
	size_t len = strlen(gauge);
	return len > 3 && strcmp(gauge + len - 3, "_ms") == 0 ? "ms" : "count";
}

static int collect_workloads(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			     size_t whylen)
{
	const struct workers_view *w = ctx->workers;
	if (!w)
		return 0;
	char name[METRIC_NAME_MAX], lbl[16];
	int r = 0;
	for (size_t i = 0; i < w->n && !r; i++) {
		const struct workload_sample *ws = &w->wl[i];
		const char *wl = ws->name;
		snprintf(name, sizeof(name), "workload.%s.cycles", wl);
		r = batch_put(b, name, (double)ws->cycles, "cycles");
		for (int k = 0; !r && k < ws->ngauges; k++) {
			const char *g = ws->gauge_name[k];
			snprintf(name, sizeof(name), "workload.%s.%s", wl, g);
			r = batch_put(b, name, (double)ws->gauge[k], workload_gauge_unit(g));
		}
		for (int ioc = 0; ioc < GS_IOC_COUNT && !r; ioc++) {
			for (int e = 1; e < GS_ERRNO_SLOTS && !r; e++) {
				uint64_t n = ws->errors[ioc][e];
				if (!n)
					continue;
				snprintf(name, sizeof(name), "workload.%s.errors.%s.%s", wl,
					 gs_ioctl_name((enum gs_ioctl)ioc), errno_label(e, lbl, sizeof(lbl)));
				r = batch_put(b, name, (double)n, "count");
			}
		}
	}
	if (r)
		snprintf(why, whylen, "workload counters: %s", strerror(-r));
	return r;
}

static const struct metric_decl workloads_metrics[] = {
	{ "workload.NAME.cycles", "cycles", METRIC_COUNTER, false,
	  "the workload's cycles, summed over its processes" },
	{ "workload.NAME.errors.IOCTL.ERRNO", "count", METRIC_COUNTER, false,
	  "errors the kernel returned to one ioctl, by errno" },
	METRIC_DECL_END,
};
const struct source source_workloads = { "workloads", collect_workloads, workloads_metrics };
