/* Findings: the leaking metrics of a run grouped into one finding per
 * cause, in words a person acts on (db/TRENDS.md, "Findings"). A cause is
 * the workload the verdicts attribute a leak to; metrics without one
 * share a cause when their growth starts at the same time and their
 * floors rise in proportion. Pure functions (analysis/analysis.h); the
 * store side is analysis/findings-store.h. */
#ifndef GS_ANALYSIS_FINDINGS_H
#define GS_ANALYSIS_FINDINGS_H

#include <stddef.h>

/* The floor of a leaking metric sampled at this many instants evenly
 * spread over the run, to compare the shapes of two growths. */
#define GS_LEVELS 16

/* One leaking metric, as a finding weighs it. Strings may be NULL. */
struct gs_leak {
	const char *metric;
	const char *unit;             /* "count", "bytes", "kB" */
	const char *workload;         /* the attributed workload; NULL or "" when none */
	const char *holder;           /* "process", "kernel", "mixed" or NULL */
	const char *attribution;      /* "only-workload", "regression", "probe", "onset", "ambiguous",
				       * "origin" (analysis/finding-origin.h) or NULL */
	const char *overruled;        /* with "origin": the other workload the statistics named; NULL */
	double per_kcycle_workload;   /* per 1000 of the workload's own cycles; NAN without one */
	double per_kcycle;            /* per 1000 cycles of all workloads; NAN */
	double per_hour;              /* in unit; NAN */
	double confidence;
	double onset;                 /* seconds after the run's start where its growth starts; NAN */
	double level[GS_LEVELS];      /* its floor at GS_LEVELS instants; NAN where unknown */
};

/* What grouping and wording need to know of the run. */
struct gs_findings_params {
	double onset_tol_s;           /* two onsets this close are the same */
	double min_corr;              /* floors rise in proportion: correlation at least this */
	size_t nworkloads;            /* workloads that ran */
	int probed;                   /* the probe paused workloads in this run */
};

#define GS_FINDING_METRICS 1024
#define GS_FINDING_TEXT 512

struct gs_finding {
	int id;                       /* 1, 2, ... in the order returned */
	char workload[64];            /* "" when none */
	char holder[16];              /* "" when unknown */
	char attribution[16];
	char overruled[64];           /* the workload the statistics named when the origin named another; "" */
	double per_kcycle;            /* the lead metric per 1000 of the workload's cycles; NAN */
	double per_hour;              /* the lead metric per hour, in unit */
	char unit[16];
	char lead_metric[64];
	char metrics[GS_FINDING_METRICS]; /* comma-separated, the lead first, then by name */
	size_t nmetrics;
	double onset;                 /* the earliest onset of its metrics, seconds after the start */
	double confidence;            /* the lead metric's */
	char summary[GS_FINDING_TEXT];  /* what it means, one sentence */
	char next[GS_FINDING_TEXT];     /* what to do next */
};

/* Group the n leaks into findings (out has room for n): first one per
 * attributed workload; then each leak without a workload, in order of
 * onset, joins the first finding whose first member has the same onset
 * (within onset_tol_s) and floors proportional to its own (correlation
 * of the levels at least min_corr), else starts a finding of its own.
 * Each finding's lead metric is the first of its metrics in the table of
 * known objects (GEM names before dma-bufs before memory), else the most
 * confident; summary and next are filled (gs_finding_words). Returns the
 * number of findings, ordered by onset, then lead metric, numbered from
 * 1 in that order; 0 when out of memory. */
size_t gs_findings(const struct gs_leak *leaks, size_t n, const struct gs_findings_params *p,
		   struct gs_finding *out);

/* Fill f->summary and f->next from its other fields
 * (analysis/finding-words.c). */
void gs_finding_words(struct gs_finding *f, const struct gs_findings_params *p);

/* The object a metric counts, singular ("GEM name", "dma-buf"); NULL
 * for a metric of memory or one not in the table. */
const char *gs_object_name(const char *metric);

/* The fixes of kernel/series (comma-separated names) whose absence leaves
 * the objects a metric counts held by the kernel; NULL when none. */
const char *gs_known_fixes(const char *metric);

/* Pearson's correlation of two level vectors over the instants both
 * know; NAN when fewer than three or either is flat. */
double gs_levels_corr(const double *a, const double *b);

#endif
