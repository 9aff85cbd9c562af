#include "daemon/probe-plan.h"

int probe_plan_paused(uint64_t k, size_t n)
{
	if (n == 0 || k % 2 == 0)
		return -1;
	return (int)((k / 2) % n);
}
