/* SIGHUP (`systemctl reload gemsoak`): read the config files again and
 * apply them to the running workloads without ending the run. A config
 * with a problem changes nothing: the problems are logged and recorded as
 * a config-reload-failed event. Otherwise removed workloads stop, new ones
 * start, changed ones restart, unchanged ones keep running
 * (daemon/reload-plan.c decides which is which). */
#ifndef GS_RELOAD_H
#define GS_RELOAD_H

#include "daemon/config.h"
#include "daemon/supervisor.h"

struct reload_state {
	const struct gs_config *current;  /* the workloads running now */
	struct gs_config *owned;          /* current, when a reload read it */
};

void reload_init(struct reload_state *rs, const struct gs_config *initial);
/* Returns 1 when a changed config was applied (rs->current is it), 0 when
 * the files were unchanged, -1 when the new config was refused. */
int reload_run(struct reload_state *rs, struct supervisor *sup, const struct gs_device *dev,
	       struct event_sink sink);
/* After supervisor_free(): the supervisor points into the current config. */
void reload_free(struct reload_state *rs);

#endif
