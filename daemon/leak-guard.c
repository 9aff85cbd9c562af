#include "daemon/leak-guard.h"
#include "sources/sources.h"

int64_t leak_guard_usable_kb(const char *meminfo)
{
	uint64_t avail, reclaimable = 0;
	if (!meminfo || parse_meminfo_kb(meminfo, "MemAvailable", &avail) != 0)
		return -1;
	parse_meminfo_kb(meminfo, "SReclaimable", &reclaimable); /* absent: 0 */
	return avail > reclaimable ? (int64_t)(avail - reclaimable) : 0;
}

void leak_guard_init(struct leak_guard *g, int64_t floor_kb, int64_t resume_kb, int64_t total_kb)
{
	*g = (struct leak_guard){ 0 };
	if (floor_kb < 0) {
		floor_kb = total_kb > 0 ? total_kb / 16 : LEAK_GUARD_MIN_FLOOR_KB;
		if (floor_kb < LEAK_GUARD_MIN_FLOOR_KB)
			floor_kb = LEAK_GUARD_MIN_FLOOR_KB;
		if (floor_kb > LEAK_GUARD_MAX_FLOOR_KB)
			floor_kb = LEAK_GUARD_MAX_FLOOR_KB;
	}
	g->floor_kb = floor_kb;
	g->resume_kb = resume_kb < 0 ? 2 * floor_kb : resume_kb;
}

enum leak_guard_action leak_guard_decide(struct leak_guard *g, int64_t avail_kb, double t)
{
	if (g->floor_kb <= 0 || avail_kb < 0)
		return LEAK_GUARD_NONE;
	if (!g->stopped && avail_kb < g->floor_kb) {
		g->stopped = true;
		g->stopped_at = t;
		g->trips++;
		return LEAK_GUARD_STOP;
	}
	/* Between floor and resume nothing changes: no flapping. */
	if (g->stopped && avail_kb >= g->resume_kb) {
		g->stopped = false;
		return LEAK_GUARD_RESUME;
	}
	return LEAK_GUARD_NONE;
}
