/* The table of workload types. A new workload is one new file plus one
 * line here. */
#include <string.h>

#include "workloads/workload.h"

extern const struct wl_type wl_flink_share;
extern const struct wl_type wl_canary;
extern const struct wl_type wl_context_churn;

static const struct wl_type *const types[] = {
	&wl_flink_share,
	&wl_canary,
	&wl_context_churn,
	NULL,
};

const struct wl_type *const *wl_types(void)
{
	return types;
}

const struct wl_type *wl_type_find(const char *name)
{
	for (const struct wl_type *const *t = types; *t; t++)
		if (strcmp((*t)->name, name) == 0)
			return *t;
	return NULL;
}

int wl_key_index(const struct wl_type *t, const char *key)
{
	for (int i = 0; t->keys[i].name; i++)
		if (strcmp(t->keys[i].name, key) == 0)
			return i;
	return -1;
}

int64_t wl_get(const struct wl_config *cfg, const char *key)
{
	int i = wl_key_index(cfg->type, key);
	return i >= 0 ? cfg->val[i] : 0;
}
