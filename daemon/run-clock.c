#include <time.h>

#include "daemon/run-clock.h"

void run_clock_init(struct run_clock *c, double wall0, double boot0, double wall, double boot)
{
	c->wall0 = wall0;
	c->boot0 = boot0;
	c->offset = wall - run_clock_at(c, boot);
}

double run_clock_at(const struct run_clock *c, double boot)
{
	return c->wall0 + (boot - c->boot0);
}

double run_clock_step(struct run_clock *c, double wall, double boot)
{
	double offset = wall - run_clock_at(c, boot);
	double step = offset - c->offset;
	if (step < RUN_CLOCK_STEP_S && step > -RUN_CLOCK_STEP_S)
		return 0;
	c->offset = offset;
	return step;
}

double run_clock_boottime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
