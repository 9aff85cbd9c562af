#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/config-caps.h"
#include "daemon/reload-plan.h"
#include "daemon/reload.h"
#include "device/device.h"

/* apply_step's outcome besides the plan's actions. */
#define RELOAD_FAILED (RELOAD_STOP + 1)

void reload_init(struct reload_state *rs, const struct gs_config *initial)
{
	rs->current = initial;
	rs->owned = NULL;
}

void reload_free(struct reload_state *rs)
{
	if (rs->owned) {
		config_free(rs->owned);
		free(rs->owned);
	}
	rs->owned = NULL;
	rs->current = NULL;
}

/* A changed device takes effect at the next start: it must be there,
 * or that start fails. Returns the number of problems (0 or 1). */
static int check_new_device(const struct gs_config *cur, const struct gs_config *next, FILE *errs)
{
	if (strcmp(cur->device, next->device) == 0)
		return 0;
	char path[256], err[512];
	struct gs_device probed;
	if (device_resolve(next->device, path, sizeof(path), err, sizeof(err)) == 0 &&
	    device_probe(path, &probed, err, sizeof(err)) == 0)
		return 0;
	fprintf(errs, "%s:%d: device = %s: %s\n", next->path, next->device_line, next->device, err);
	return 1;
}

/* The messages are FILE:LINE lines: keep them readable in one event. */
static void one_line(char *msgs)
{
	for (char *c = msgs; c && *c; c++)
		if (*c == '\n')
			*c = c[1] ? ';' : '\0';
}

/* Read and check the files against the running config; problems
 * (FILE:LINE lines) into errs. */
static struct gs_config *read_config(const char *path, const struct gs_config *cur,
				     const struct gs_device *dev, char **errs)
{
	size_t len;
	FILE *f = open_memstream(errs, &len);
	struct gs_config *cfg = calloc(1, sizeof(*cfg));
	if (!f || !cfg) {
		if (f)
			fclose(f);
		free(cfg);
		*errs = strdup("out of memory");
		return NULL;
	}
	int problems = config_load_dir(path, cfg, f);
	if (!problems)
		problems = check_new_device(cur, cfg, f) + config_check_user(cfg, f);
	if (!problems)
		problems = config_check_caps(cfg, dev->caps, dev->path, dev->driver, f);
	fclose(f);
	if (problems) {
		config_free(cfg);
		free(cfg);
		return NULL;
	}
	return cfg;
}

/* Apply one step of the plan; returns what happened: its action, or
 * RELOAD_FAILED when the workload did not start (the supervisor tries it
 * again with backoff, unless memory ran out). A kept workload the
 * supervisor does not have (memory ran out before) is added again. */
static int apply_step(const struct reload_step *st, struct supervisor *sup)
{
	int i = st->old ? supervisor_find(sup, st->old->name) : -1;
	if (st->action == RELOAD_KEEP && i >= 0) {
		supervisor_rebind(sup, (size_t)i, st->new);
		return RELOAD_KEEP;
	}
	if (i >= 0)
		supervisor_remove(sup, (size_t)i);
	if (st->action == RELOAD_STOP)
		return RELOAD_STOP;
	if (supervisor_add(sup, st->new) != 0)
		return RELOAD_FAILED; /* its start-failed event says why */
	return st->action == RELOAD_KEEP ? RELOAD_START : (int)st->action;
}

int reload_run(struct reload_state *rs, struct supervisor *sup, const struct gs_device *dev,
	       struct event_sink sink)
{
	/* A copy: the config it belongs to is freed once the new one applies. */
	char path[sizeof(rs->current->path)];
	snprintf(path, sizeof(path), "%s", rs->current->path);
	char *errs = NULL, msg[2048];
	struct gs_config *next = read_config(path, rs->current, dev, &errs);
	if (!next) {
		one_line(errs);
		snprintf(msg, sizeof(msg), "%s: keeping the running config: %s", path, errs ? errs : "");
		sink.emit(sink.ctx, LOG_ERR, "daemon", "config-reload-failed", msg);
		free(errs);
		return -1;
	}
	if (rs->current->database_override) {
		snprintf(next->database, sizeof(next->database), "%s", rs->current->database);
		next->database_override = true;
	}
	/* The same files: nothing to do, and nothing to record. */
	if (strcmp(next->text ? next->text : "", rs->current->text ? rs->current->text : "") == 0) {
		log_info("%s: unchanged, nothing to reload", path);
		free(errs);
		config_free(next);
		free(next);
		return 0;
	}

	/* What is left are warnings (a deprecated key): the config is taken. */
	if (errs && *errs) {
		one_line(errs);
		sink.emit(sink.ctx, LOG_WARNING, "daemon", "config-warning", errs);
	}
	free(errs);
	char what[256]; /* every [daemon] key name fits */
	if (reload_daemon_changed(rs->current, next, what, sizeof(what))) {
		snprintf(msg, sizeof(msg), "[daemon] %s changed: takes effect at the next start", what);
		sink.emit(sink.ctx, LOG_WARNING, "daemon", "config-needs-restart", msg);
	}
	struct reload_step *steps = calloc(rs->current->nworkloads + next->nworkloads + 1, sizeof(*steps));
	if (!steps) {
		sink.emit(sink.ctx, LOG_ERR, "daemon", "config-reload-failed", "out of memory");
		config_free(next);
		free(next);
		return -1;
	}
	size_t n = reload_plan(rs->current, next, steps);
	unsigned count[RELOAD_FAILED + 1] = { 0 };
	char names[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		int done = apply_step(&steps[i], sup);
		count[done]++;
		if (done != RELOAD_KEEP && used < sizeof(names)) {
			const struct wl_config *w = steps[i].new ? steps[i].new : steps[i].old;
			used += (size_t)snprintf(names + used, sizeof(names) - used, "; %s %s",
						 w->name, done == RELOAD_FAILED ? "failed to start"
									: reload_action_name((enum reload_action)done));
		}
	}
	free(steps);
	reload_free(rs);
	rs->current = rs->owned = next;
	snprintf(msg, sizeof(msg), "%s: %u kept, %u restarted, %u started, %u stopped, %u failed to start%s",
		 path, count[RELOAD_KEEP], count[RELOAD_RESTART], count[RELOAD_START], count[RELOAD_STOP],
		 count[RELOAD_FAILED], names);
	sink.emit(sink.ctx, LOG_NOTICE, "daemon", "config-reloaded", msg);
	return 1;
}
