/* Each workload's cycles/s against its `rate` cap, a pure state machine
 * so that it is unit-tested: a workload far below its cap (under half of
 * it) over a whole window (RATE_WATCH_INTERVALS sampling intervals: 2
 * minutes at the default 10 s) is said once when it falls there, and once
 * when it is back (three quarters of its cap again), not every round. The
 * window is time, not rounds: rounds that come late on a busy machine do
 * not shorten it. The time a workload is paused on purpose (the leak
 * guard, the attribution probe) is left out of its window, with the
 * interval of the round after each pause (it ran part of it): the window
 * is of its own running time, so that the probe's pauses in turn, which
 * come as often as a window in a short run, do not keep it from ever
 * being full. */
#ifndef GS_RATE_WATCH_H
#define GS_RATE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATE_WATCH_INTERVALS 12 /* the window: 2 minutes at the default 10 s interval */
#define RATE_WATCH_POINTS 64    /* rounds kept; a window needs at most INTERVALS + 1 */
#define RATE_WATCH_BELOW 0.5   /* far below: under this share of the cap */
#define RATE_WATCH_BACK 0.75   /* back: at least this share again */
#define RATE_WATCH_NAME 48

struct rate_track {
	char name[RATE_WATCH_NAME];
	double t[RATE_WATCH_POINTS];         /* a ring of the last rounds: running time, */
	uint64_t cycles[RATE_WATCH_POINTS];  /* and cycles less those left out */
	double running;                      /* the time it ran, rounds after a pause left out */
	uint64_t left_out;                   /* the cycles of the rounds left out */
	double last_t;                       /* the last round fed (not paused), and its cycles */
	uint64_t last_cycles;
	bool seen, gap;                      /* a round fed yet; a pause since the last one */
	int n, head;                         /* points held; the oldest */
	bool below;
	double below_since;                  /* t it fell below */
	double per_s;                        /* the last full window's cycles/s; -1 none yet */
};

struct rate_watch {
	double window_s;                     /* set by the caller before the first round */
	struct rate_track *tr;
	size_t n, cap;
};

enum rate_change { RATE_SAME, RATE_BELOW, RATE_BACK };

/* One round of workload `name`: its cumulative cycles at time t (s, on a
 * monotonic clock), its cap in cycles/s (0: none, never below). paused:
 * stopped on purpose this round (left out, with the round after it). Returns RATE_BELOW when it falls under
 * half its cap over a full window, RATE_BACK when it is back (with
 * *below_s, the seconds it was below), else RATE_SAME; -1 out of memory.
 * *per_s: the window's cycles/s, or -1 while the window is not full. */
int rate_watch_round(struct rate_watch *w, const char *name, double cap, double t, uint64_t cycles,
		     bool paused, double *per_s, double *below_s);
/* The track of `name`, or NULL when it was never fed. */
const struct rate_track *rate_watch_find(const struct rate_watch *w, const char *name);
void rate_watch_free(struct rate_watch *w);

#endif
