/* What a reload changes: the running config's workloads against a newly
 * read config's, matched by name. A workload whose type and every key value
 * are the same keeps running untouched; one that differs is restarted; new
 * names start, missing names stop. Pure, so it is tested on its own. */
#ifndef GS_RELOAD_PLAN_H
#define GS_RELOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/config.h"

enum reload_action { RELOAD_KEEP, RELOAD_RESTART, RELOAD_START, RELOAD_STOP };

struct reload_step {
	enum reload_action action;
	const struct wl_config *old;   /* NULL for RELOAD_START */
	const struct wl_config *new;   /* NULL for RELOAD_STOP */
};

/* Fill steps (room for old->nworkloads + new->nworkloads entries): the
 * stops first, then the new config's workloads in its order. Returns the
 * number of steps. */
size_t reload_plan(const struct gs_config *old, const struct gs_config *new,
		   struct reload_step *steps);

/* Same type and the same value for every key, strings included. */
bool reload_same_workload(const struct wl_config *a, const struct wl_config *b);

/* [daemon] settings a reload cannot apply (every [daemon] key: the device,
 * sampling interval, the leak guard's levels, ...): the names of those that
 * changed, comma-separated, in buf; false when none changed. */
bool reload_daemon_changed(const struct gs_config *old, const struct gs_config *new,
			   char *buf, size_t len);

const char *reload_action_name(enum reload_action a);

#endif
