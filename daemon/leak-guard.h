/* The leak guard: the recorder must outlive what it records. A real leak
 * (seed 000 unthrottled) eats the machine's memory in minutes, and the OOM
 * killer would take the daemon and its database with it. So every round
 * MemAvailable is read against a floor: below it the workloads' processes
 * are stopped (closing their files releases what the kernel holds for
 * them; on a leaking kernel how much that frees is itself a finding),
 * sampling goes on, and the workloads start again once MemAvailable is
 * back above the resume level. The decision is a pure function of the
 * readings, so it is unit-tested; daemon/guard-actions.c acts on it. */
#ifndef GS_LEAK_GUARD_H
#define GS_LEAK_GUARD_H

#include <stdbool.h>
#include <stdint.h>

/* auto: MemTotal / 16, kept within these bounds; resume: twice the floor. */
#define LEAK_GUARD_MIN_FLOOR_KB (32 * 1024)
#define LEAK_GUARD_MAX_FLOOR_KB (512 * 1024)
/* MemAvailable is read this often (or every round when rounds are more
 * frequent): an unthrottled leak takes a small machine's memory within
 * a few default 10 s rounds. */
#define LEAK_GUARD_PERIOD_S 1.0

struct leak_guard {
	int64_t floor_kb, resume_kb;  /* floor 0: the guard is off */
	bool stopped;                 /* the workloads are stopped by the guard */
	double stopped_at;
	unsigned trips;
};

enum leak_guard_action { LEAK_GUARD_NONE, LEAK_GUARD_STOP, LEAK_GUARD_RESUME };

/* Set the levels from the config's (-1: auto) and MemTotal. */
void leak_guard_init(struct leak_guard *g, int64_t floor_kb, int64_t resume_kb, int64_t total_kb);

/* The memory the guard counts on, from a meminfo text: MemAvailable less
 * SReclaimable. MemAvailable takes reclaimable slab as good as free, but
 * a dma-buf or GEM leak pins a dentry and an inode per buffer in those
 * caches: a 512 MB guest went out of memory on seed 000's kernel with
 * 4 MB free and 122 MB of such "reclaimable" slab, most of which
 * MemAvailable counts, so a floor of 96 MB was never crossed. -1 when the
 * text has no MemAvailable. */
int64_t leak_guard_usable_kb(const char *meminfo);

/* What to do on a reading of usable memory at time t; the state follows. */
enum leak_guard_action leak_guard_decide(struct leak_guard *g, int64_t avail_kb, double t);

#endif
