/* A run's own clock: the wall clock when the run began, plus the time
 * elapsed since on CLOCK_BOOTTIME (which counts a suspend and is never
 * stepped). Ticks, events, probe pauses and the prune all use it, so a
 * step of the wall clock (date -s, NTP setting a board without RTC, a
 * hypervisor) neither reorders a run's ticks, nor shortens or stretches
 * its spans, nor ages its samples; the daemon reports each step as a
 * clock-step event instead. A run continued after a restart (same boot)
 * keeps its clock: its anchor is in run_props (clock.wall0, clock.boot0).
 * Pure but for run_clock_boottime(), so that tests give the times. */
#ifndef GS_RUN_CLOCK_H
#define GS_RUN_CLOCK_H

/* A step of the wall clock smaller than this is not reported: NTP's
 * slewing moves both clocks alike, and a round's jitter is far less. */
#define RUN_CLOCK_STEP_S 1.0

struct run_clock {
	double wall0;   /* the run's time at boot0 (Unix seconds) */
	double boot0;   /* CLOCK_BOOTTIME at the anchor */
	double offset;  /* wall clock minus run time at the last check */
};

/* Anchor the clock: run time wall0 at boottime boot0; wall and boot are
 * the clocks now, the base of the next run_clock_step(). */
void run_clock_init(struct run_clock *c, double wall0, double boot0, double wall, double boot);
/* The run's time at boottime boot. */
double run_clock_at(const struct run_clock *c, double boot);
/* How far the wall clock stepped since the last check (the init or the
 * last step reported): wall minus run time, against what it was; 0 when
 * less than RUN_CLOCK_STEP_S. */
double run_clock_step(struct run_clock *c, double wall, double boot);
/* CLOCK_BOOTTIME now, in seconds. */
double run_clock_boottime(void);

#endif
