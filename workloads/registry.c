/* The table of workload types. A new workload is one new file plus one
 * line here, and the other lines docs/DEVELOPING.md lists (module.mk,
 * docs/workloads.md, the kernel model). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "workloads/workload.h"

extern const struct wl_type wl_flink_share;
extern const struct wl_type wl_canary;
extern const struct wl_type wl_prime_share;
extern const struct wl_type wl_self_import;
extern const struct wl_type wl_export_close_race;
extern const struct wl_type wl_flink_close_race;
extern const struct wl_type wl_display_server;
extern const struct wl_type wl_x_restart;
extern const struct wl_type wl_context_churn;
extern const struct wl_type wl_buffer_queue;

static const struct wl_type *const types[] = {
	&wl_flink_share,
	&wl_canary,
	&wl_prime_share,
	&wl_self_import,
	&wl_export_close_race,
	&wl_flink_close_race,
	&wl_display_server,
	&wl_x_restart,
	&wl_context_churn,
	&wl_buffer_queue,
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

/* The index of a key the code reads: a key its type does not declare is
 * a mistake in the code (a typo, a key of another type), never a value. */
static int declared(const struct wl_config *cfg, const char *key)
{
	int i = wl_key_index(cfg->type, key);
	if (i < 0) {
		fprintf(stderr, "gemsoak: workload type %s declares no key '%s'\n", cfg->type->name, key);
		abort();
	}
	return i;
}

int64_t wl_get(const struct wl_config *cfg, const char *key)
{
	return cfg->val[declared(cfg, key)];
}

double wl_rate(const struct wl_config *cfg)
{
	return (double)wl_get(cfg, "rate") / 1000.0;
}

const char *wl_get_str(const struct wl_config *cfg, const char *key)
{
	return cfg->str[declared(cfg, key)];
}

int64_t wl_get_opt(const struct wl_config *cfg, const char *key)
{
	int i = wl_key_index(cfg->type, key);
	return i >= 0 ? cfg->val[i] : 0;
}

const char *wl_get_str_opt(const struct wl_config *cfg, const char *key)
{
	int i = wl_key_index(cfg->type, key);
	return i >= 0 ? cfg->str[i] : "";
}

/* What wl_channels_open gives a type without setup: not NULL, which
 * means failure, and owning nothing. */
static char no_channels;

void *wl_channels_open(const struct wl_config *cfg)
{
	return cfg->type->setup ? cfg->type->setup(cfg) : &no_channels;
}

int wl_channels_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	return cfg->type->fds ? cfg->type->fds(chan, cfg, index, fds, max) : 0;
}

void wl_channels_close(const struct wl_config *cfg, void *chan)
{
	if (chan && chan != &no_channels && cfg->type->teardown)
		cfg->type->teardown(chan);
}

unsigned wl_caps_needed(const struct wl_config *cfg)
{
	return cfg->type->caps_for ? cfg->type->caps_for(cfg) : cfg->type->caps;
}

static const char *const kind_names[] = {
	[WK_INT] = "integer", [WK_SIZE] = "size", [WK_DURATION] = "duration",
	[WK_BOOL] = "yes/no", [WK_STRING] = "string", [WK_RATE] = "decimal",
};

static bool moved(const struct wl_type *t, const char *key)
{
	for (const char *const *k = t->moved_keys; k && *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

void wl_print_types(FILE *out)
{
	for (const struct wl_type *const *t = types; *t; t++) {
		fprintf(out, "%s: %s\n", (*t)->name, (*t)->summary);
		for (const struct wl_key *k = (*t)->keys; k->name; k++) {
			char lo[32], hi[32], def[32];
			fprintf(out, "  %-18s %-9s %s", k->name, kind_names[k->kind], k->help);
			if (k->kind == WK_BOOL)
				fprintf(out, " (default %s)", k->def ? "yes" : "no");
			else if (k->kind == WK_RATE)
				fprintf(out, " (%s..%s, default %s cycles/s)", fmt_milli(k->min, lo, sizeof(lo)),
					fmt_milli(k->max, hi, sizeof(hi)), fmt_milli(k->def, def, sizeof(def)));
			else if (k->kind != WK_STRING)
				fprintf(out, " (%" PRId64 "..%" PRId64 ", default %" PRId64 "%s)", k->min, k->max,
					k->def, k->kind == WK_DURATION ? " ms" : k->kind == WK_SIZE ? " bytes" : "");
			if (moved(*t, k->name))
				fprintf(out, " (deprecated: type = %s)", (*t)->moved_to);
			fputc('\n', out);
		}
	}
}
