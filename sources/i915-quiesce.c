/* quiesce = yes: before each sample, retire requests, idle the GPU and free
 * what is waiting to be freed, by writing debugfs dri/N/i915_gem_drop_caches
 * as igt's igt_get_stable_obj_count does, so object counts do not wobble
 * with work in flight. Off by default: it stalls the GPU and so perturbs
 * the soak. Adds no metric; a failed write is an event like any source's. */
#include <errno.h>
#include <stdio.h>

#include "sources/sources.h"

/* igt's DROP_RETIRE | DROP_ACTIVE | DROP_IDLE */
#define GS_DROP_CACHES "0x4c"

static int quiesce(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	if (!ctx->i915 || !ctx->quiesce)
		return 0;
	if (ctx->card_minor < 0) {
		snprintf(why, whylen, "i915_gem_drop_caches: the device's debugfs directory is unknown");
		return -ENODEV;
	}
	char rel[64];
	snprintf(rel, sizeof(rel), "dri/%d/i915_gem_drop_caches", ctx->card_minor);
	return source_write_under(ctx->debugfs, rel, GS_DROP_CACHES, why, whylen);
}

const struct source source_i915_quiesce = { "i915_gem_drop_caches", quiesce, NULL };
