#include <stdio.h>
#include <string.h>

#include "daemon/reload-plan.h"

static const struct wl_config *find(const struct gs_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nworkloads; i++)
		if (strcmp(cfg->workloads[i].name, name) == 0)
			return &cfg->workloads[i];
	return NULL;
}

bool reload_same_workload(const struct wl_config *a, const struct wl_config *b)
{
	if (a->type != b->type)
		return false;
	/* Strings too: a changed command once ran on with its old value. */
	for (int k = 0; a->type->keys[k].name; k++)
		if (a->val[k] != b->val[k] ||
		    (a->type->keys[k].kind == WK_STRING && strcmp(a->str[k], b->str[k]) != 0))
			return false;
	return true;
}

size_t reload_plan(const struct gs_config *old, const struct gs_config *new,
		   struct reload_step *steps)
{
	size_t n = 0;
	for (size_t i = 0; i < old->nworkloads; i++)
		if (!find(new, old->workloads[i].name))
			steps[n++] = (struct reload_step){ RELOAD_STOP, &old->workloads[i], NULL };
	for (size_t i = 0; i < new->nworkloads; i++) {
		const struct wl_config *w = &new->workloads[i], *o = find(old, w->name);
		enum reload_action a = !o ? RELOAD_START : reload_same_workload(o, w) ? RELOAD_KEEP
										   : RELOAD_RESTART;
		steps[n++] = (struct reload_step){ a, o, w };
	}
	return n;
}

bool reload_daemon_changed(const struct gs_config *old, const struct gs_config *new,
			   char *buf, size_t len)
{
	/* Every key of the table: none a reload applies can be forgotten. */
	return config_daemon_changed(old, new, buf, len);
}

const char *reload_action_name(enum reload_action a)
{
	switch (a) {
	case RELOAD_KEEP: return "kept";
	case RELOAD_RESTART: return "restarted";
	case RELOAD_START: return "started";
	case RELOAD_STOP: return "stopped";
	}
	return "?";
}
