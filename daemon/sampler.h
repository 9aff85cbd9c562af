/* The sampler: every interval, run each source (sources/), then write the
 * batch as one tick to the store. A source that fails is reported once as
 * an event (and once more when it comes back) and skipped meanwhile.
 * Rounds the store refuses wait in a bounded backlog (daemon/backlog.c). */
#ifndef GS_SAMPLER_H
#define GS_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/backlog.h"
#include "daemon/supervisor.h"
#include "db/store.h"
#include "sources/sources.h"
#include "sources/workers.h"

#define SAMPLER_MAX_SOURCES 32
/* An hour of rounds at the default 10 s interval, a few MB at the most. */
#define SAMPLER_BACKLOG 360

struct sampler {
	struct source_ctx ctx;
	const struct supervisor *sup;  /* NULL: no workloads to count */
	struct workers_view workers;   /* what the sources see of sup, each round */
	struct store *st;
	int64_t run_id;
	struct event_sink sink;
	struct metric_batch batch;
	struct origin_rows origins;    /* the origins source's rows, stored after each round */
	bool origins_cap_said;         /* the origins-cap event, once */
	bool failed[SAMPLER_MAX_SOURCES];
	uint64_t ticks;
	uint64_t cycles_base;    /* a continued run's cycles before this start */
	struct backlog backlog;
	char store_error[256];   /* empty while the store takes every round */
	char refused[256];       /* what the store refused for good, said once until a clean round */
};

/* Sample the machine ctx describes and the workloads sup runs into st's
 * run run_id; 0, or -ENOMEM. */
int sampler_init(struct sampler *s, const struct source_ctx *ctx, const struct supervisor *sup,
		 struct store *st, int64_t run_id, struct event_sink sink);
/* One sampling round at wall-clock time t; 0 when stored (with anything
 * waiting in the backlog), -EIO when it waits in the backlog. */
int sampler_tick(struct sampler *s, double t);
/* At stop, after the last round: write what waits in the backlog once
 * more; what still cannot be written is dropped, counted, and said in a
 * store-dropped event (with the count and the span of the rounds), which
 * the log has even when the database cannot take it. Returns the rounds
 * dropped now. */
uint64_t sampler_finish(struct sampler *s);
void sampler_free(struct sampler *s);

#endif
