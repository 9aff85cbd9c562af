/* Findings in a few words (analysis/finding-brief.h). */
#include <stdio.h>
#include <string.h>

#include "analysis/finding-brief.h"

char *gs_finding_brief(const struct gs_finding *f, char *buf, size_t len)
{
	const char *thing = gs_object_name(f->lead_metric);
	char what[80];
	/* every object the table names takes a plain "s" in the plural */
	snprintf(what, sizeof(what), "%s%s", thing ? thing : f->lead_metric, thing ? "s" : "");
	char metrics[32];
	snprintf(metrics, sizeof(metrics), " (%zu metric%s)", f->nmetrics, f->nmetrics == 1 ? "" : "s");
	if (!*f->workload)
		snprintf(buf, len, "%s grow%s, no workload named%s", what, thing ? "" : "s", metrics);
	else if (strcmp(f->holder, "process") == 0)
		snprintf(buf, len, "%s keeps %s%s", f->workload, what, metrics);
	else if (strcmp(f->holder, "kernel") == 0)
		snprintf(buf, len, "%s leaves %s in the kernel%s", f->workload, what, metrics);
	else
		snprintf(buf, len, "%s leaks %s%s", f->workload, what, metrics);
	return buf;
}

char *gs_findings_brief(const struct gs_finding *f, size_t n, size_t cap, char *buf, size_t len)
{
	static const char sep[] = "; ";
	char one[GS_FINDING_TEXT], more[32];
	if (len == 0)
		return buf;
	size_t used = 0, room = cap < len ? cap : len - 1;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		gs_finding_brief(&f[i], one, sizeof(one));
		/* what "+K more" would take if this one and the rest were left out */
		size_t tail = i + 1 < n ? (size_t)snprintf(more, sizeof(more), "%s+%zu more", sep, n - i - 1) : 0;
		size_t need = (i ? strlen(sep) : 0) + strlen(one);
		if (used + need + tail <= room) {
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? sep : "", one);
			continue;
		}
		if (i == 0) {
			/* the first, cut to leave room for "..." and what follows */
			size_t keep = room > tail + 3 ? room - tail - 3 : 0;
			used = (size_t)snprintf(buf, len, "%.*s...", (int)keep, one);
			i++;
		}
		if (i < n)
			snprintf(buf + used, len - used, "%s+%zu more", used ? sep : "", n - i);
		break;
	}
	return buf;
}
