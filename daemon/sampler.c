#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/sampler.h"
#include "db/origins.h"

int sampler_init(struct sampler *s, const struct source_ctx *ctx, const struct supervisor *sup,
		 struct store *st, int64_t run_id, struct event_sink sink)
{
	memset(s, 0, sizeof(*s));
	s->ctx = *ctx;
	s->sup = sup;
	s->st = st;
	s->run_id = run_id;
	s->sink = sink;
	batch_init(&s->batch);
	origin_rows_init(&s->origins);
	s->ctx.origins = &s->origins;
	return backlog_init(&s->backlog, SAMPLER_BACKLOG);
}

void sampler_free(struct sampler *s)
{
	batch_free(&s->batch);
	origin_rows_free(&s->origins);
	free(s->workers.wl);
	backlog_free(&s->backlog);
	kept_files_close();
}

/* Copy the supervisor's counters and pids into the view the sources read;
 * -ENOMEM leaves the sources without one this round. */
static int fill_workers(struct sampler *s)
{
	struct workers_view *w = &s->workers;
	size_t n = supervisor_count(s->sup);
	if (n > w->cap) {
		struct workload_sample *wl = realloc(w->wl, n * sizeof(*wl));
		if (!wl)
			return -ENOMEM;
		w->wl = wl;
		w->cap = n;
	}
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		struct workload_sample *ws = &w->wl[i];
		ws->name = supervisor_name(s->sup, i);
		ws->cycles = supervisor_cycles(s->sup, i);
		ws->pgid = supervisor_pgid(s->sup, i);
		ws->ngauges = 0;
		while (ws->ngauges < WL_MAX_GAUGES &&
		       (ws->gauge_name[ws->ngauges] = supervisor_gauge(s->sup, i, ws->ngauges,
								       &ws->gauge[ws->ngauges])))
			ws->ngauges++;
		for (int ioc = 0; ioc < GS_IOC_COUNT; ioc++)
			for (int e = 0; e < GS_ERRNO_SLOTS; e++)
				ws->errors[ioc][e] = supervisor_errors(s->sup, i, (enum gs_ioctl)ioc, e);
	}
	w->npids = supervisor_pids(s->sup, w->pids, WORKERS_MAX_PIDS, true);
	return 0;
}

/* A round the store refused for good (r: store_samples' result): say
 * why, once for each new reason until a round goes in whole. */
static void say_refused(struct sampler *s, const struct backlog_entry *e, int r)
{
	const char *why = store_errmsg(s->st);
	if (!strcmp(s->refused, why))
		return;
	snprintf(s->refused, sizeof(s->refused), "%s", why);
	char msg[512];
	if (r == STORE_ROUND_REFUSED)
		snprintf(msg, sizeof(msg), "the round of %.0f was dropped (counted in daemon.samples_dropped):"
			 " the database refuses it: %s", e->t, why);
	else
		snprintf(msg, sizeof(msg), "the round of %.0f was written without what the database refuses: %s",
			 e->t, why);
	s->sink.emit(s->sink.ctx, LOG_WARNING, "sampler", "store-refused", msg);
}

/* Write the backlog, oldest first. A round that can never be written is
 * dropped (counted), so that it does not hold the rounds behind it; a
 * transient error (busy, full, read-only, I/O) stops here, to retry. */
static int flush_backlog(struct sampler *s)
{
	const struct backlog_entry *e;
	while ((e = backlog_peek(&s->backlog)) != NULL) {
		int r = store_samples(s->st, s->run_id, e->t, e->cycles, &e->batch);
		if (r == -1)
			return -EIO;
		if (r == 0) {
			s->refused[0] = '\0';
			backlog_pop(&s->backlog);
			continue;
		}
		say_refused(s, e, r);
		if (r == STORE_ROUND_REFUSED)
			backlog_drop(&s->backlog);
		else
			backlog_pop(&s->backlog);
	}
	return 0;
}

/* The origins the source took this round: written as a state, so a
 * round the store cannot take is said by the next one (db/origins.h);
 * the bound reached is said once. */
static void store_origin_rows(struct sampler *s, double t)
{
	if (!s->origins.taken)
		return;
	if (s->origins.ready_s > 0) {
		char msg[160];
		snprintf(msg, sizeof(msg), "tracing where GEM objects and dma-bufs are made (the BPF program"
			 " took %.1f s to load; objects made before are not traced)", s->origins.ready_s);
		s->sink.emit(s->sink.ctx, LOG_INFO, "sampler", "origins-ready", msg);
	}
	store_origins(s->st, s->run_id, t, &s->origins);
	if (s->origins.untraced && !s->origins_cap_said) {
		char msg[256];
		snprintf(msg, sizeof(msg), "the origins map is full (%llu live objects traced): %llu object(s) made"
			 " since are not traced, origins undercount", (unsigned long long)s->origins.bound,
			 (unsigned long long)s->origins.untraced);
		s->sink.emit(s->sink.ctx, LOG_WARNING, "sampler", "origins-cap", msg);
		s->origins_cap_said = true;
	}
}

/* The i-th source of a round: gs_sources, then source_origins; NULL past
 * the end. */
static const struct source *round_source(int i)
{
	int n = 0;
	while (gs_sources[n])
		n++;
	return i < n ? gs_sources[i] : i == n ? &source_origins : NULL;
}

int sampler_tick(struct sampler *s, double t)
{
	batch_reset(&s->batch);
	origin_rows_reset(&s->origins);
	/* Read the cycles first: a tick's cycles never exceed the work that
	 * could have produced its counter values. */
	uint64_t cycles = s->cycles_base + (s->sup ? supervisor_total_cycles(s->sup) : 0);
	s->ctx.workers = s->sup && fill_workers(s) == 0 ? &s->workers : NULL;
	const struct source *src;
	for (int i = 0; i < SAMPLER_MAX_SOURCES && (src = round_source(i)); i++) {
		char why[512] = "";
		size_t before = s->batch.n;
		int r = src->collect(&s->ctx, &s->batch, why, sizeof(why));
		if (r == SOURCE_NO_DATA) {
			s->batch.n = before; /* neither failed nor back */
		} else if (r) {
			s->batch.n = before; /* drop a half-read source */
			if (!s->failed[i]) {
				char msg[600];
				snprintf(msg, sizeof(msg), "%s unavailable, skipped until it returns: %s",
					 src->name, why[0] ? why : strerror(-r));
				s->sink.emit(s->sink.ctx, LOG_WARNING, "sampler", "source-unavailable", msg);
				s->failed[i] = true;
			}
		} else if (s->failed[i]) {
			char msg[128];
			snprintf(msg, sizeof(msg), "%s is available again", src->name);
			s->sink.emit(s->sink.ctx, LOG_NOTICE, "sampler", "source-recovered", msg);
			s->failed[i] = false;
		}
	}
	store_origin_rows(s, t);
	/* The rounds dropped so far are a metric like any other. */
	batch_put(&s->batch, "daemon.samples_dropped", (double)s->backlog.dropped, "count");
	if (backlog_push(&s->backlog, t, cycles, &s->batch) == 0)
		s->ticks++;
	if (flush_backlog(s)) {
		if (!s->store_error[0]) {
			snprintf(s->store_error, sizeof(s->store_error), "%s", store_errmsg(s->st));
			log_err("cannot store samples (keeping up to %d rounds in memory): %s",
				SAMPLER_BACKLOG, s->store_error);
		}
		return -EIO;
	}
	if (s->store_error[0]) {
		char msg[400];
		snprintf(msg, sizeof(msg), "the database takes samples again after: %s; %llu round(s) dropped so far",
			 s->store_error, (unsigned long long)s->backlog.dropped);
		s->store_error[0] = '\0';
		s->sink.emit(s->sink.ctx, LOG_NOTICE, "sampler", "store-recovered", msg);
	}
	return 0;
}

uint64_t sampler_finish(struct sampler *s)
{
	const struct backlog_entry *first = backlog_peek(&s->backlog);
	if (!first || flush_backlog(s) == 0)
		return 0;
	first = backlog_peek(&s->backlog);
	uint64_t n = s->backlog.len;
	double t0 = first->t, t1 = backlog_newest(&s->backlog)->t;
	while (backlog_peek(&s->backlog))
		backlog_drop(&s->backlog);
	char msg[600];
	snprintf(msg, sizeof(msg), "%llu round(s) taken from %.0f to %.0f (%.0f s) could not be written before"
		 " the stop and are dropped (%llu in this daemon's life): %s", (unsigned long long)n, t0, t1,
		 t1 - t0, (unsigned long long)s->backlog.dropped, store_errmsg(s->st));
	s->sink.emit(s->sink.ctx, LOG_ERR, "sampler", "store-dropped", msg);
	return n;
}
