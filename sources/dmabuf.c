/* debugfs dma_buf/bufinfo (dma_buf_debug_show): per-buffer rows, then
 * "Total %d objects, %zu bytes" last in every kernel since 3.3. Seed 000's
 * leak was found with exactly this file. Linear in its rows (make bench:
 * bench/parse-bench): with tens of thousands of leaked buffers, a
 * quadratic parse took minutes of a slow guest's CPU per round. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/sources.h"

int parse_dmabuf_bufinfo(const char *text, uint64_t *objects, uint64_t *bytes)
{
	bool found = false;
	/* Old kernels also print "Total %d devices attached" per buffer, so
	 * only a line that parses as the objects total counts; take the last. */
	for (const char *p = text; (p = strstr(p, "Total ")) != NULL; p++) {
		if (p != text && p[-1] != '\n')
			continue;
		unsigned long long o, b;
		char line[128]; /* one line: sscanf on p would measure all the rest */
		line_copy(p, line, sizeof(line));
		if (sscanf(line, "Total %llu objects, %llu bytes", &o, &b) == 2) {
			if (!COUNT_OK(o) || !COUNT_OK(b))
				return -ERANGE;
			*objects = o;
			*bytes = b;
			found = true;
		}
	}
	return found ? 0 : -EINVAL;
}

static int put_dmabuf(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	uint64_t objects, bytes;
	int r = parse_dmabuf_bufinfo(text, &objects, &bytes);
	if (r)
		return r;
	batch_put(b, "dmabuf.objects", (double)objects, "count");
	return batch_put(b, "dmabuf.bytes", (double)bytes, "bytes");
}

static const struct text_source dmabuf = {
	.file = "dma_buf/bufinfo",
	.format = "no \"Total N objects, M bytes\" line", .put = put_dmabuf,
};

static int collect_dmabuf(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			  size_t whylen)
{
	return source_collect_text(ctx, &dmabuf, b, why, whylen);
}

static const struct metric_decl dmabuf_metrics[] = {
	{ "dmabuf.objects", "count", METRIC_GAUGE, true, "dma-bufs alive (dma_buf/bufinfo)" },
	{ "dmabuf.bytes", "bytes", METRIC_GAUGE, true, "their size" },
	METRIC_DECL_END,
};
const struct source source_dmabuf = { "dma_buf", collect_dmabuf, dmabuf_metrics };
