#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/units.h"

/* The metrics that count one kind of object, in the order a finding's
 * lead is chosen (the objects a person frees before the memory they
 * take), with the known fixes (kernel/series) whose absence leaves them
 * held by the kernel. */
static const struct known {
	const char *metric, *thing, *fix;
} known[] = {
	{ "gem.names_held", "GEM name", NULL },
	{ "dmabuf.objects", "dma-buf", "prime-handle-dmabuf-ref, prime-dma-buf-link, prime-export-cache-race" },
	{ "gem.flink_names", "GEM name", "gem-flink-create-race" },
	{ "i915.vmas_ppgtt", "VMA", "i915-context-vma-cleanup" },
	{ "i915.vmas", "VMA", "i915-context-vma-cleanup" },
	{ "i915.objects", "GEM object", NULL },
	{ "drm.clients", "DRM file", NULL },
	{ "gem.flink_handles", "GEM handle", NULL },
	{ "binder.nodes", "binder node", NULL },
	{ "binder.refs", "binder ref", NULL },
	{ "binder.buffers", "binder buffer", NULL },
	{ "fds.dmabuf", "dma-buf fd", NULL },
	{ "fds.sync_file", "sync_file fd", NULL },
	{ "dmabuf.fences_unsignalled", "unsignalled fence", NULL },
	{ "slab.shmem_inode_cache", "shmem inode", NULL },
	{ "slab.filp", "open file", NULL },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

/* The index of metric in known[], NKNOWN when it is not there. */
static size_t known_of(const char *metric)
{
	for (size_t i = 0; metric && i < NKNOWN; i++)
		if (strcmp(known[i].metric, metric) == 0)
			return i;
	return NKNOWN;
}

const char *gs_object_name(const char *metric)
{
	size_t k = known_of(metric);
	return k < NKNOWN ? known[k].thing : NULL;
}

const char *gs_known_fixes(const char *metric)
{
	size_t k = known_of(metric);
	return k < NKNOWN ? known[k].fix : NULL;
}

static int has_workload(const struct gs_leak *l)
{
	return l->workload && *l->workload;
}

double gs_levels_corr(const double *a, const double *b)
{
	double n = 0, ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
	for (int i = 0; i < GS_LEVELS; i++) {
		if (isnan(a[i]) || isnan(b[i]))
			continue;
		n++, ma += a[i], mb += b[i], maa += a[i] * a[i], mbb += b[i] * b[i], mab += a[i] * b[i];
	}
	if (n < 3)
		return NAN;
	ma /= n, mb /= n, maa /= n, mbb /= n, mab /= n;
	double va = maa - ma * ma, vb = mbb - mb * mb;
	/* A flat level (relative to its size) has no shape to compare. */
	if (!(va > 1e-12 * (1 + ma * ma)) || !(vb > 1e-12 * (1 + mb * mb)))
		return NAN;
	return (mab - ma * mb) / sqrt(va * vb);
}

/* Whether leak l belongs with the group led by g: same onset, floors
 * rising in proportion. */
static int same_cause(const struct gs_leak *g, const struct gs_leak *l, const struct gs_findings_params *p)
{
	if (isnan(g->onset) || isnan(l->onset) || fabs(g->onset - l->onset) > p->onset_tol_s)
		return 0;
	double r = gs_levels_corr(g->level, l->level);
	return !isnan(r) && r >= p->min_corr;
}

/* Does leak a lead before leak b: known objects first, in the table's
 * order, then the more confident, then by name. */
static int leads(const struct gs_leak *a, const struct gs_leak *b)
{
	size_t ka = known_of(a->metric), kb = known_of(b->metric);
	if (ka != kb)
		return ka < kb;
	double ca = isnan(a->confidence) ? 0 : a->confidence, cb = isnan(b->confidence) ? 0 : b->confidence;
	if (ca != cb)
		return ca > cb;
	return strcmp(a->metric ? a->metric : "", b->metric ? b->metric : "") < 0;
}

static int by_onset(const struct gs_leak *x, const struct gs_leak *y)
{
	double a = isnan(x->onset) ? INFINITY : x->onset, b = isnan(y->onset) ? INFINITY : y->onset;
	return a < b ? -1 : a > b;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fill finding f from the leaks whose group_of is group; first is its
 * first member (group_of[first] == group). */
static void fill(struct gs_finding *f, const struct gs_leak *leaks, size_t n, const size_t *group_of,
		 size_t group, size_t first, const struct gs_findings_params *p)
{
	size_t lead = first, nm = 0;
	for (size_t i = 0; i < n; i++)
		if (group_of[i] == group && leads(&leaks[i], &leaks[lead]))
			lead = i;
	const struct gs_leak *l = &leaks[lead];
	*f = (struct gs_finding){ .per_kcycle = has_workload(l) ? l->per_kcycle_workload : NAN,
				  .per_hour = l->per_hour, .confidence = l->confidence, .onset = NAN };
	snprintf(f->workload, sizeof(f->workload), "%s", has_workload(l) ? l->workload : "");
	snprintf(f->holder, sizeof(f->holder), "%s", l->holder ? l->holder : "");
	snprintf(f->attribution, sizeof(f->attribution), "%s", l->attribution ? l->attribution : "");
	snprintf(f->overruled, sizeof(f->overruled), "%s", l->overruled ? l->overruled : "");
	snprintf(f->unit, sizeof(f->unit), "%s", l->unit && *l->unit ? l->unit : "count");
	snprintf(f->lead_metric, sizeof(f->lead_metric), "%s", l->metric ? l->metric : "");
	const char **names = malloc((n + 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		if (group_of[i] != group)
			continue;
		f->nmetrics++;
		if (!isnan(leaks[i].onset) && (isnan(f->onset) || leaks[i].onset < f->onset))
			f->onset = leaks[i].onset;
		if (!*f->holder && leaks[i].holder)
			snprintf(f->holder, sizeof(f->holder), "%s", leaks[i].holder);
		if (i != lead && names)
			names[nm++] = leaks[i].metric ? leaks[i].metric : "";
	}
	if (names)
		qsort(names, nm, sizeof(*names), by_name);
	size_t used = (size_t)snprintf(f->metrics, sizeof(f->metrics), "%s", f->lead_metric);
	for (size_t i = 0; i < nm && used < sizeof(f->metrics); i++)
		used += (size_t)snprintf(f->metrics + used, sizeof(f->metrics) - used, ",%s", names[i]);
	free(names);
	gs_finding_words(f, p);
}

static int finding_order(const void *a, const void *b)
{
	const struct gs_finding *x = a, *y = b;
	double ox = isnan(x->onset) ? INFINITY : x->onset, oy = isnan(y->onset) ? INFINITY : y->onset;
	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(x->lead_metric, y->lead_metric);
}

#define NONE ((size_t)-1)

size_t gs_findings(const struct gs_leak *leaks, size_t n, const struct gs_findings_params *p,
		   struct gs_finding *out)
{
	/* group_of[i]: leak i's group; first[g]: a group's first member,
	 * the one a leak without a workload is compared with. */
	size_t *group_of = malloc((n + 1) * sizeof(*group_of)), *first = malloc((n + 1) * sizeof(*first));
	size_t ng = 0;
	if (!group_of || !first) {
		free(group_of);
		free(first);
		return 0;
	}
	/* One group per attributed workload. */
	for (size_t i = 0; i < n; i++) {
		group_of[i] = NONE;
		if (!has_workload(&leaks[i]))
			continue;
		size_t g;
		for (g = 0; g < ng; g++)
			if (strcmp(leaks[first[g]].workload, leaks[i].workload) == 0)
				break;
		if (g == ng)
			first[ng++] = i;
		group_of[i] = g;
	}
	/* The others in order of onset (the earliest first, so that a group
	 * is compared with where its growth began), each joining the first
	 * group of the same cause or starting one. */
	for (size_t left = 0; left < n; left++) {
		size_t i = n;
		for (size_t k = 0; k < n; k++)
			if (group_of[k] == NONE && (i == n || by_onset(&leaks[k], &leaks[i]) < 0))
				i = k;
		if (i == n)
			break;
		size_t g;
		for (g = 0; g < ng; g++)
			if (same_cause(&leaks[first[g]], &leaks[i], p))
				break;
		if (g == ng)
			first[ng++] = i;
		group_of[i] = g;
	}
	for (size_t g = 0; g < ng; g++)
		fill(&out[g], leaks, n, group_of, g, first[g], p);
	if (ng > 1) /* out may be NULL when there is nothing to order */
		qsort(out, ng, sizeof(*out), finding_order);
	for (size_t g = 0; g < ng; g++)
		out[g].id = (int)g + 1;
	free(group_of);
	free(first);
	return ng;
}
