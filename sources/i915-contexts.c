/* debugfs dri/N/i915_context_status: one "HW context ..." line per context
 * (4.x–5.x: "HW context [%x [pin %u]] (comm [pid]) R", "(deleted)" or
 * "(kernel)"; later "(name [pid]) (closed)"), each followed by indented
 * per-engine lines. About 3.4 printed only the power and render contexts;
 * newer kernels dropped the file (then the sampler records that once). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/sources.h"

int parse_i915_context_status(const char *text, uint64_t *contexts, uint64_t *closed)
{
	*contexts = *closed = 0;
	bool known = false;
	for (const char *l = text; *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		if (len >= 11 && strncmp(l, "HW context ", 11) == 0) {
			(*contexts)++;
			if (mem_contains(l, len, "(deleted)") || mem_contains(l, len, "(closed)"))
				(*closed)++;
			known = true;
		} else if ((len >= 14 && strncmp(l, "power context ", 14) == 0) ||
			   (len >= 15 && strncmp(l, "render context ", 15) == 0)) {
			known = true;
		}
		l += len + (eol ? 1 : 0);
	}
	/* Every kernel lists its own context (or 3.4's power and render
	 * ones): an empty file says nothing, not "no contexts" (the kernel
	 * model lists only the clients' contexts). A file of NUL bytes never
	 * gets here: the read refuses it as not text. */
	if (!*text)
		return -ENODATA;
	return known ? 0 : -EINVAL;
}

static int put_i915_contexts(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	uint64_t n, closed;
	int r = parse_i915_context_status(text, &n, &closed);
	if (r == -ENODATA)
		return SOURCE_NO_DATA; /* no figure recorded, and the source is not failing */
	if (r)
		return r;
	batch_put(b, "i915.contexts", (double)n, "count");
	return batch_put(b, "i915.contexts_closed", (double)closed, "count");
}

static const struct text_source i915_contexts = {
	.file = "i915_context_status", .dri = true, .i915_only = true,
	.format = "no \"HW context\" lines", .put = put_i915_contexts,
};

static int collect_i915_contexts(const struct source_ctx *ctx, struct metric_batch *b, char *why,
				 size_t whylen)
{
	return source_collect_text(ctx, &i915_contexts, b, why, whylen);
}

static const struct metric_decl i915_contexts_metrics[] = {
	{ "i915.contexts", "count", METRIC_GAUGE, true, "HW contexts (dri/N/i915_context_status)" },
	{ "i915.contexts_closed", "count", METRIC_GAUGE, true,
	  "of those, of closed files or destroyed, still alive" },
	METRIC_DECL_END,
};
const struct source source_i915_contexts = {
	"i915_context_status", collect_i915_contexts, i915_contexts_metrics,
};
