#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "daemon/sampler.h"

void sampler_init(struct sampler *s, const struct source_ctx *ctx, struct store *st,
		  int64_t run_id, struct event_sink sink)
{
	memset(s, 0, sizeof(*s));
	s->ctx = *ctx;
	s->st = st;
	s->run_id = run_id;
	s->sink = sink;
	batch_init(&s->batch);
}

void sampler_free(struct sampler *s)
{
	batch_free(&s->batch);
}

int sampler_tick(struct sampler *s, double t)
{
	batch_reset(&s->batch);
	/* Read the cycles first: a tick's cycles never exceed the work that
	 * could have produced its counter values. */
	uint64_t cycles = s->ctx.sup ? supervisor_total_cycles(s->ctx.sup) : 0;
	for (int i = 0; gs_sources[i] && i < SAMPLER_MAX_SOURCES; i++) {
		const struct source *src = gs_sources[i];
		char why[512] = "";
		size_t before = s->batch.n;
		int r = src->collect(&s->ctx, &s->batch, why, sizeof(why));
		if (r) {
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
	if (store_samples(s->st, s->run_id, t, cycles, &s->batch)) {
		if (!s->store_failing)
			log_err("cannot store samples: %s", store_errmsg(s->st));
		s->store_failing = true;
		return -EIO;
	}
	if (s->store_failing)
		log_notice("storing samples again");
	s->store_failing = false;
	s->ticks++;
	return 0;
}
