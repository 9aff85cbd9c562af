/* A finding in words (analysis/findings.h): what it means, one sentence,
 * and what to do next. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/units.h"

/* "+H:MM:SS" for s seconds after the run's start. */
static void run_time(char *buf, size_t len, double s)
{
	long v = isnan(s) ? 0 : lround(s);
	snprintf(buf, len, "+%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
}

/* n rounded to two significant digits, with thousands separated by
 * commas ("200", "1,000", "25,000"), as a person writes a ratio. */
static char *ratio(char *buf, size_t len, double n)
{
	double mag = pow(10, floor(log10(n)) - 1);
	long long v = n >= 10 ? llround(round(n / mag) * mag) : llround(n);
	char digits[32];
	int k = snprintf(digits, sizeof(digits), "%lld", v), at = 0;
	for (int i = 0; i < k && at + 2 < (int)len; i++) {
		if (i > 0 && (k - i) % 3 == 0)
			buf[at++] = ',';
		buf[at++] = digits[i];
	}
	buf[at] = '\0';
	return buf;
}

/* "(held by its process)" and the like, for holder; "" when unknown. */
static const char *held(const char *holder, int has_workload)
{
	if (strcmp(holder, "process") == 0)
		return has_workload ? " (held by its process)" : " (held by a process)";
	if (strcmp(holder, "kernel") == 0)
		return " (held by the kernel: no process holds them)";
	if (strcmp(holder, "mixed") == 0)
		return " (held partly by processes, partly by the kernel)";
	return "";
}

/* Why no workload is named (f has none). */
static const char *why_no_workload(const struct gs_finding *f, const struct gs_findings_params *p)
{
	if (p->nworkloads == 0)
		return "no workload ran";
	if (strcmp(f->attribution, "ambiguous") != 0)
		return "the growth follows no workload's cycles";
	if (p->probed)
		return "the probe's pauses did not separate the workloads (the growth went on through"
		       " every pause, or stopped in more than one workload's)";
	return "the workloads' cycles rose in a fixed ratio and the probe was off (probe = no)";
}

/* The summary: the rate in the lead's objects per the workload's cycles,
 * or per hour without a workload. */
static void summary(struct gs_finding *f, const struct gs_findings_params *p)
{
	const char *thing = gs_object_name(f->lead_metric);
	int kernel_prime = strncmp(f->lead_metric, "dmabuf.", 7) == 0 && strcmp(f->holder, "kernel") == 0;
	char rate[128] = "", n[32], q[64];
	if (*f->workload && !isnan(f->per_kcycle) && f->per_kcycle > 0) {
		if (thing && f->per_kcycle < 1000)
			snprintf(rate, sizeof(rate), "1 %s per %s of its cycles", thing, ratio(n, sizeof(n), 1000 / f->per_kcycle));
		else if (thing)
			snprintf(rate, sizeof(rate), "%s %ss per cycle", gs_count(n, sizeof(n), f->per_kcycle / 1000), thing);
		else
			snprintf(rate, sizeof(rate), "%s of %s per 1000 of its cycles",
				 gs_quantity(q, sizeof(q), f->per_kcycle, f->unit, 0), f->lead_metric);
	}
	if (kernel_prime) {
		snprintf(f->summary, sizeof(f->summary), "dma-bufs outlive every process that held them: PRIME"
			 " export/import path%s%s%s%s", *f->workload ? " (the " : "", f->workload,
			 *rate ? " leaves " : "", *rate ? rate : "");
		if (*f->workload)
			strncat(f->summary, ")", sizeof(f->summary) - strlen(f->summary) - 1);
	} else if (*rate) {
		snprintf(f->summary, sizeof(f->summary), "the %s keeps %s%s", f->workload, rate,
			 held(f->holder, 1));
	} else if (*f->workload) {
		/* named by its objects' origin, its cycles unknown */
		snprintf(f->summary, sizeof(f->summary), "the %s's %s grows by %s per hour%s", f->workload,
			 f->lead_metric, gs_quantity(q, sizeof(q), f->per_hour, f->unit, 0), held(f->holder, 1));
	} else {
		char when[32];
		run_time(when, sizeof(when), f->onset);
		gs_quantity(q, sizeof(q), f->per_hour, f->unit, 0);
		snprintf(f->summary, sizeof(f->summary), "%s grows by %s per hour from %s%s%s; no workload named: %s",
			 f->lead_metric, q, when, f->nmetrics > 1 ? " with the others" : "", held(f->holder, 0),
			 why_no_workload(f, p));
	}
}

/* What to do next: the kernel check when the pattern is a known fix's,
 * the config key that reproduces it faster, the report's plot. */
static void next(struct gs_finding *f, const struct gs_findings_params *p)
{
	const char *fixes = gs_known_fixes(f->lead_metric);
	size_t used = 0;
	f->next[0] = '\0';
	if (fixes && strcmp(f->holder, "process") != 0)
		used += (size_t)snprintf(f->next + used, sizeof(f->next) - used,
					 "gemsoak kernel check --running (the pattern of %s); ", fixes);
	if (*f->workload && used < sizeof(f->next))
		used += (size_t)snprintf(f->next + used, sizeof(f->next) - used,
					 strcmp(f->workload, "canary") == 0 ?
					 "a lower leak_every in [workload %s] shows it sooner; " :
					 "a higher rate in [workload %s] shows it sooner; ", f->workload);
	if (!*f->workload && used < sizeof(f->next))
		used += (size_t)snprintf(f->next + used, sizeof(f->next) - used, "%s; ",
					 p->probed ? "run the workloads one at a time"
						   : "run the workloads one at a time, or with the probe on");
	if (used < sizeof(f->next))
		snprintf(f->next + used, sizeof(f->next) - used, "the plot of %s: gemsoak report --out run.html",
			 f->lead_metric);
}

void gs_finding_words(struct gs_finding *f, const struct gs_findings_params *p)
{
	summary(f, p);
	if (*f->overruled) {
		size_t used = strlen(f->summary);
		snprintf(f->summary + used, sizeof(f->summary) - used,
			 "; its objects were made by %s's processes, though the statistics named %s", f->workload,
			 f->overruled);
	}
	next(f, p);
}
