/* A run's findings (analysis/findings.h) in a few words each, for the
 * daemon's progress line on a terminal and its status under systemd:
 * "canary keeps GEM names (5 metrics)". */
#ifndef GS_ANALYSIS_FINDING_BRIEF_H
#define GS_ANALYSIS_FINDING_BRIEF_H

#include <stddef.h>

#include "analysis/findings.h"

/* The findings' part of the progress line is at most this many
 * characters (one line of an 80-column terminal), however many findings
 * a run has: the line stays a line. */
#define GS_BRIEF_CAP 80

/* Finding f in a few words into buf (len bytes): who (its workload, or
 * none), what (its lead's objects, plural, or the lead metric) and how
 * many metrics: "canary keeps GEM names (5 metrics)" (held by its
 * process), "prime-share leaves dma-bufs in the kernel (7 metrics)",
 * "prime-share leaks dma-bufs (2 metrics)" (holder mixed or unknown),
 * "dma-bufs grow, no workload named (1 metric)". Returns buf. */
char *gs_finding_brief(const struct gs_finding *f, char *buf, size_t len);

/* The n findings' briefs joined by "; " into buf (len bytes), in at most
 * cap characters (cap at least 16): those that fit whole, in order, then
 * "+K more" for the K left out; the first is always given, cut with "..."
 * when it alone is longer than the room. "" when n is 0. Returns buf. */
char *gs_findings_brief(const struct gs_finding *f, size_t n, size_t cap, char *buf, size_t len);

#endif
