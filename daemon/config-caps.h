/* Does the device offer what every workload of a config needs? */
#ifndef GS_CONFIG_CAPS_H
#define GS_CONFIG_CAPS_H

#include <stdio.h>

#include "daemon/config.h"

/* Check that the device offers what every workload needs (and that a
 * workload's second device imports its buffers); problems go to errs and
 * name the workload's section. Returns the number of problems. */
int config_check_caps(const struct gs_config *cfg, unsigned caps, const char *device,
		      const char *driver, FILE *errs);

/* Check that a worker can become [daemon] user here (a child process
 * tries): one that cannot fails every worker at start, and the run
 * records no work. 0, or 1 after a FILE:LINE message naming the unit. */
int config_check_user(const struct gs_config *cfg, FILE *errs);

#endif
