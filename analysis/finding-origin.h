/* Where a finding's objects came from: of the origins the kernel traced
 * (docs/ORIGINS.md), the one that holds most of the growth of the kind
 * of object the finding counts, and its stack in words. Pure functions
 * (analysis/analysis.h): the caller reads the origins from the store
 * (cli/findings.c) and hands them over. */
#ifndef GS_ANALYSIS_FINDING_ORIGIN_H
#define GS_ANALYSIS_FINDING_ORIGIN_H

#include <stddef.h>

#include "analysis/findings.h"

/* One origin: the traced objects of one kind, workload, process name and
 * kernel stack (the store's object_origins), at a baseline and at the
 * end. */
struct gs_origin {
	const char *kind;     /* "dma-buf" or "gem" */
	const char *workload; /* the workload whose process made them, else the process name */
	const char *comm;
	const char *stack; /* as stored: one frame a line, innermost first, "name+0x1f/0x80" */
	double base;	   /* alive at the baseline (0 when the origin had no row by then) */
	double alive;	   /* alive at the end */
};

/* The kind of traced object ("gem", "dma-buf") that metric counts; NULL
 * for a metric that counts none (bytes, memory, fences, clients). */
const char *gs_origin_kind(const char *metric);

/* The kind of traced object a finding's metrics (comma-separated) count:
 * "dma-buf" when one of them counts dma-bufs (a kept dma-buf keeps its
 * GEM object, so where the dma-bufs were made is the cause when both
 * grow: seed 000's finding led by gem.names_held had its GEM objects'
 * dumb-buffer origin, not the PRIME export), else "gem" when one counts
 * GEM objects; NULL when none does. */
const char *gs_finding_origin_kind(const char *metrics);

/* The origin of finding f's objects among the n origins o (any order):
 * of the kind of f's metrics (gs_finding_origin_kind), made by f's
 * workload, or by anyone when f names none or its holder is the kernel
 * (the objects a kernel-held leak keeps may be anybody's), the one
 * whose alive count grew most from base to the end. Ties go to the one
 * with more alive at the end, then to the first by workload, process
 * name and stack, so that the order of o does not matter. Its index, or
 * -1 when no such origin grew (none traced, or all constant). */
long gs_pick_origin(const struct gs_finding *f, const struct gs_origin *o, size_t n);

/* The origins as evidence of a finding's workload (db/TRENDS.md,
 * "Attribution by origin"): a maker names the finding's workload when
 * its objects are at least this share of the growth since the onset, and
 * at least this many. */
#define GS_ORIGIN_MIN_SHARE 0.9
#define GS_ORIGIN_MIN_GROWTH 10
/* ... and when the traced growth of the kind is at most this many times
 * the finding's own rise: more, and another leak of the same kind (of
 * another finding) is in it. */
#define GS_ORIGIN_MAX_EXCESS 2

/* Who made the growth of one kind of object. */
struct gs_origin_share {
	const char *maker; /* an origin's workload field (a workload's name, else a process name); NULL: none grew */
	double growth;	   /* its growth: alive - base summed over its origins (stacks, process names) */
	double total;	   /* the growth of every maker whose growth is positive */
};

/* Of the n origins o (any order), those of kind: the maker whose summed
 * growth (alive - base, a NAN base counting as 0) is the largest and
 * positive, and the total of the positive growths of all makers. A
 * maker's pools that shrank cancel its other growth: what it holds more
 * at the end is what counts. Ties go to the first maker by name. */
struct gs_origin_share gs_origin_share(const char *kind, const struct gs_origin *o, size_t n);

/* The workload the origins name for a finding whose metrics counting
 * that kind rose by `rise` objects (its floor's rise, the largest of
 * them): s's maker when it is one of the nw workloads that ran (a
 * process that is none names no workload), grew by at least
 * GS_ORIGIN_MIN_GROWTH objects and holds at least GS_ORIGIN_MIN_SHARE of
 * the total, and the total is at most GS_ORIGIN_MAX_EXCESS times rise
 * (fewer traced than counted is fine: those made before the tracing or
 * past its bound); else NULL, also when rise is NAN. */
const char *gs_origin_workload(const struct gs_origin_share *s, const char *const *workloads, size_t nw,
			       double rise);

/* Whether workload w, named by the origins, becomes finding f's (its
 * attribution `origin`). It does, whatever the statistics said, except
 * for a leak the kernel holds that the probe's pauses gave to another
 * workload: the kernel may keep one process's objects for what another
 * does, so there the origin says who made them (gs_origin_line) and the
 * intervention who keeps them leaking. */
int gs_origin_overrules(const struct gs_finding *f, const char *w);

/* A leak's rate per 1000 of a workload's cycles from its rate per hour
 * and the workload's cycles per hour; NAN when the workload did not
 * cycle (or either is unknown). */
double gs_per_kcycle_of_rates(double per_hour, double cycles_per_hour);

/* A stack as stored, in words: the function names without offsets,
 * innermost first, "a ← b ← c", down to the system call (the entry
 * frames below it say nothing of the path). With top > 0, only the top
 * frames, then the subsystem's entry (the last frame above the system
 * call's own, such as drm_ioctl), when more frames lie between. Returns
 * buf (truncated to len). */
char *gs_stack_words(char *buf, size_t len, const char *stack, int top);

/* The path a stack is known by ("PRIME export", "dumb-buffer
 * creation"), from the first known function in it; NULL when none. */
const char *gs_stack_path(const char *stack);

/* The origin o of a finding in one sentence, its stack as its top three
 * frames and the subsystem's entry (gs_stack_words): "974 of the dma-bufs
 * alive at the end were made by prime-share at dma_buf_export ←
 * drm_gem_dmabuf_export ← drm_gem_prime_handle_to_fd ← drm_ioctl (PRIME
 * export)". Returns buf. */
char *gs_origin_sentence(char *buf, size_t len, const struct gs_origin *o);

/* The same stack in a short line for the headline of a finding of
 * workload: "made at dma_buf_export ← drm_gem_dmabuf_export ←
 * drm_gem_prime_handle_to_fd ← drm_ioctl"; "made by canary at ..." when
 * the maker is not that workload (a finding without one: ""). Returns
 * buf. */
char *gs_origin_line(char *buf, size_t len, const struct gs_origin *o, const char *workload);

#endif
