/* The list of every metric: each source's declarations (in its file under
 * sources/, beside the code that puts them), then each workload type's gauges. */
#include <stdbool.h>
#include <stdio.h>

#include "sources/sources.h"
#include "workloads/workload.h"

/* Whether an earlier type declared t's gauges (x-restart keeps
 * display-server's for old configs): each is declared once. */
static bool shared_gauges(const struct wl_type *const *t)
{
	for (const struct wl_type *const *e = wl_types(); e != t; e++)
		if ((*e)->gauges && (*e)->gauges == (*t)->gauges)
			return true;
	return false;
}

void metrics_each(void (*fn)(const struct metric_decl *m, void *arg), void *arg)
{
	for (const struct source *const *s = gs_sources; *s; s++)
		for (const struct metric_decl *m = (*s)->metrics; m && m->name; m++)
			fn(m, arg);
	for (const struct wl_type *const *t = wl_types(); *t; t++) {
		if (shared_gauges(t))
			continue;
		for (const struct wl_gauge *g = (*t)->gauges; g && g->name; g++) {
			char name[METRIC_NAME_MAX], doc[256];
			snprintf(name, sizeof(name), "workload.NAME.%s", g->name);
			snprintf(doc, sizeof(doc), "%s: %s", (*t)->name, g->doc);
			struct metric_decl m = {
				.name = name, .unit = workload_gauge_unit(g->name),
				.kind = g->counter ? METRIC_COUNTER : METRIC_GAUGE,
				.judged = false, .doc = doc,
			};
			fn(&m, arg);
		}
	}
}

static void print_one(const struct metric_decl *m, void *arg)
{
	fprintf(arg, "%-36s %-6s %-7s %-8s %s\n", m->name, m->unit,
		m->kind == METRIC_COUNTER ? "counter" : "gauge", m->judged ? "judged" : "recorded", m->doc);
}

void metrics_print(FILE *out)
{
	metrics_each(print_one, out);
}
