#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "daemon/sampler.h"

int sampler_init(struct sampler *s, const struct source_ctx *ctx, struct store *st,
		 int64_t run_id, struct event_sink sink)
{
	memset(s, 0, sizeof(*s));
	s->ctx = *ctx;
	s->st = st;
	s->run_id = run_id;
	s->sink = sink;
	batch_init(&s->batch);
	return backlog_init(&s->backlog, SAMPLER_BACKLOG);
}

void sampler_free(struct sampler *s)
{
	batch_free(&s->batch);
	backlog_free(&s->backlog);
	kept_files_close();
}

/* Write the backlog, oldest first; stop at the first round refused. */
static int flush_backlog(struct sampler *s)
{
	const struct backlog_entry *e;
	while ((e = backlog_peek(&s->backlog)) != NULL) {
		if (store_samples(s->st, s->run_id, e->t, e->cycles, &e->batch))
			return -EIO;
		backlog_pop(&s->backlog);
	}
	return 0;
}

int sampler_tick(struct sampler *s, double t)
{
	batch_reset(&s->batch);
	/* Read the cycles first: a tick's cycles never exceed the work that
	 * could have produced its counter values. */
	uint64_t cycles = s->cycles_base + (s->ctx.sup ? supervisor_total_cycles(s->ctx.sup) : 0);
	for (int i = 0; gs_sources[i] && i < SAMPLER_MAX_SOURCES; i++) {
		const struct source *src = gs_sources[i];
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
