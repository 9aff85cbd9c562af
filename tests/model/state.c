/* The model's state and its lock. */
#include <sched.h>
#include <unistd.h>

#include "tests/model/model.h"

struct model M = { .lock = PTHREAD_MUTEX_INITIALIZER };

void model_init(void)
{
	for (int i = 0; i < FIX_COUNT; i++)
		M.fix[i] = true;
	M.full_ppgtt = true;
	M.window_us = 200;
}

void model_window(void)
{
	pthread_mutex_unlock(&M.lock);
	if (M.window_us > 0)
		usleep((useconds_t)M.window_us);
	else
		sched_yield();
	pthread_mutex_lock(&M.lock);
}
