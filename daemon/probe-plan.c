#include "daemon/probe-plan.h"

int probe_plan_paused(uint64_t k, size_t n)
{
	if (n == 0 || k % 2 == 0)
		return -1;
	return (int)((k / 2) % n);
}

int64_t probe_plan_auto_ms(uint64_t k, int64_t elapsed_ms, int64_t interval_ms)
{
	int64_t pause = elapsed_ms / 8, least = 3 * interval_ms, most = 600000;
	if (pause < least)
		pause = least;
	if (pause > most)
		pause = most > least ? most : least;
	/* the all-running periods, once the first hour has told the
	 * workloads apart, cost less by being longer */
	return k % 2 == 0 && elapsed_ms >= 3600000 ? 3 * pause : pause;
}
