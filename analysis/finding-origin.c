#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/finding-origin.h"

/* The metrics that count traced objects (a GEM name or handle keeps its
 * GEM object, a dma-buf fd its dma-buf), with that kind. */
static const struct {
	const char *metric, *kind;
} counts[] = {
	{ "gem.names_held", "gem" },
	{ "gem.names_unheld", "gem" },
	{ "gem.flink_names", "gem" },
	{ "gem.flink_handles", "gem" },
	{ "i915.objects", "gem" },
	{ "dmabuf.objects", "dma-buf" },
	{ "dmabuf.held", "dma-buf" },
	{ "dmabuf.held_by_workload", "dma-buf" },
	{ "dmabuf.held_by_other", "dma-buf" },
	{ "dmabuf.orphaned", "dma-buf" },
	{ "fds.dmabuf", "dma-buf" },
};

const char *gs_origin_kind(const char *metric)
{
	for (size_t i = 0; metric && i < sizeof(counts) / sizeof(counts[0]); i++)
		if (strcmp(counts[i].metric, metric) == 0)
			return counts[i].kind;
	return NULL;
}

const char *gs_finding_origin_kind(const char *metrics)
{
	char name[64];
	const char *found = NULL;
	for (const char *p = metrics; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			const char *kind = gs_origin_kind(name);
			if (kind && !strcmp(kind, "dma-buf"))
				return kind; /* it keeps its GEM object: the cause */
			if (kind && !found)
				found = kind;
		}
		p += len + (p[len] == ',');
	}
	return found;
}

static int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* The growth of origin o: a NAN base (no row by then) counts as none alive. */
static double growth(const struct gs_origin *o)
{
	return o->alive - (isnan(o->base) ? 0 : o->base);
}

/* Whether origin a goes before b, of the same growth. */
static int before(const struct gs_origin *a, const struct gs_origin *b)
{
	if (a->alive != b->alive)
		return a->alive > b->alive;
	int c = str_cmp(a->workload, b->workload);
	if (!c)
		c = str_cmp(a->comm, b->comm);
	if (!c)
		c = str_cmp(a->stack, b->stack);
	return c < 0;
}

long gs_pick_origin(const struct gs_finding *f, const struct gs_origin *o, size_t n)
{
	const char *kind = gs_finding_origin_kind(f->metrics);
	int anyone = !*f->workload || strcmp(f->holder, "kernel") == 0;
	long best = -1;
	double most = 0;
	for (size_t i = 0; kind && i < n; i++) {
		if (str_cmp(o[i].kind, kind) || (!anyone && str_cmp(o[i].workload, f->workload)))
			continue;
		double grew = growth(&o[i]);
		if (!(grew > 0) || grew < most || (grew == most && !before(&o[i], &o[best])))
			continue;
		best = (long)i;
		most = grew;
	}
	return best;
}

struct gs_origin_share gs_origin_share(const char *kind, const struct gs_origin *o, size_t n)
{
	struct gs_origin_share s = { 0 };
	for (size_t i = 0; kind && i < n; i++) {
		if (str_cmp(o[i].kind, kind))
			continue;
		/* Each maker once: at its first origin of kind, its sum. */
		size_t j;
		for (j = 0; j < i; j++)
			if (!str_cmp(o[j].kind, kind) && !str_cmp(o[j].workload, o[i].workload))
				break;
		if (j < i)
			continue;
		double g = 0;
		for (j = i; j < n; j++)
			if (!str_cmp(o[j].kind, kind) && !str_cmp(o[j].workload, o[i].workload))
				g += growth(&o[j]);
		if (!(g > 0))
			continue;
		s.total += g;
		if (g > s.growth || (g == s.growth && str_cmp(o[i].workload, s.maker) < 0)) {
			s.maker = o[i].workload ? o[i].workload : "";
			s.growth = g;
		}
	}
	return s;
}

const char *gs_origin_workload(const struct gs_origin_share *s, const char *const *workloads, size_t nw,
			       double rise)
{
	if (!s->maker || s->growth < GS_ORIGIN_MIN_GROWTH || s->growth < GS_ORIGIN_MIN_SHARE * s->total ||
	    !(s->total <= GS_ORIGIN_MAX_EXCESS * rise))
		return NULL;
	for (size_t i = 0; i < nw; i++)
		if (workloads[i] && !strcmp(workloads[i], s->maker))
			return workloads[i];
	return NULL;
}

int gs_origin_overrules(const struct gs_finding *f, const char *w)
{
	return !(strcmp(f->holder, "kernel") == 0 && strcmp(f->attribution, "probe") == 0 && *f->workload &&
		 str_cmp(f->workload, w) != 0);
}

double gs_per_kcycle_of_rates(double per_hour, double cycles_per_hour)
{
	return cycles_per_hour > 0 && !isnan(per_hour) ? per_hour / cycles_per_hour * 1000 : NAN;
}

/* Whether the frame at p is one of the system call's own, below the
 * subsystem's entry ("__x64_sys_ioctl" below "drm_ioctl"). */
static int syscall_frame(const char *p)
{
	static const char *const prefixes[] = { "__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "ksys_" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(p, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* Whether the frame at p is the system call's entry, below which nothing
 * says anything of the path. */
static int entry_frame(const char *p)
{
	return !strncmp(p, "do_syscall_64", 13) || !strncmp(p, "entry_SYSCALL", 13);
}

static const char *next_frame(const char *p)
{
	p += strcspn(p, "\n");
	return p + (*p == '\n');
}

char *gs_stack_words(char *buf, size_t len, const char *stack, int top)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	/* n frames above the entry; the subsystem's entry is frame entry - 1. */
	int n = 0, entry = 0;
	for (const char *p = stack; p && *p && !entry_frame(p); p = next_frame(p)) {
		n++;
		if (!syscall_frame(p))
			entry = n;
	}
	if (entry == 0)
		entry = n;
	size_t at = 0;
	int i = 0;
	for (const char *p = stack; i < n; p = next_frame(p), i++) {
		if (top > 0 && !(i < top && i < entry) && i != entry - 1)
			continue;
		/* "name+0x1f/0x80": the name */
		int k = snprintf(buf + at, len - at, "%s%.*s", at ? " ← " : "", (int)strcspn(p, "+\n"), p);
		at = k < 0 || at + (size_t)k >= len ? len - 1 : at + (size_t)k;
	}
	return buf;
}

const char *gs_stack_path(const char *stack)
{
	static const struct {
		const char *frame, *path;
	} paths[] = {
		{ "drm_gem_prime_handle_to_fd", "PRIME export" },
		{ "drm_gem_prime_fd_to_handle", "PRIME import" },
		{ "drm_mode_create_dumb", "dumb-buffer creation" },
		{ "drm_gem_shmem_dumb_create", "dumb-buffer creation" },
		{ "i915_gem_create_ioctl", "GEM_CREATE" },
		{ "i915_gem_create_ext_ioctl", "GEM_CREATE" },
	};
	for (const char *p = stack; p && *p;) {
		size_t name = strcspn(p, "+\n");
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (strlen(paths[i].frame) == name && !strncmp(p, paths[i].frame, name))
				return paths[i].path;
		p = next_frame(p);
	}
	return NULL;
}

/* A finding's origin shows the top frames of its stack and the
 * subsystem's entry: enough to tell one path from another in a line. */
#define ORIGIN_TOP 3

char *gs_origin_sentence(char *buf, size_t len, const struct gs_origin *o)
{
	char frames[512];
	const char *path = gs_stack_path(o->stack);
	snprintf(buf, len, "%.0f of the %s alive at the end were made by %s at %s%s%s%s", o->alive,
		 str_cmp(o->kind, "dma-buf") ? "GEM objects" : "dma-bufs", o->workload ? o->workload : "?",
		 gs_stack_words(frames, sizeof(frames), o->stack, ORIGIN_TOP), path ? " (" : "",
		 path ? path : "", path ? ")" : "");
	return buf;
}

char *gs_origin_line(char *buf, size_t len, const struct gs_origin *o, const char *workload)
{
	char frames[512];
	gs_stack_words(frames, sizeof(frames), o->stack, ORIGIN_TOP);
	if (str_cmp(o->workload, workload) == 0)
		snprintf(buf, len, "made at %s", frames);
	else
		snprintf(buf, len, "made by %s at %s", o->workload ? o->workload : "?", frames);
	return buf;
}
