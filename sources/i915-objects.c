/* debugfs dri/N/i915_gem_objects (i915_gem_object_info): the count igt's
 * leak tests compare before and after (scanf "%i objects").
 *   3.x–4.x: "%u objects, %zu bytes", then "... in gtt", active/inactive,
 *            unbound, purgeable ... lines, a blank line and one line per
 *            DRM file "comm: N objects, B bytes (...)" (summed: objects
 *            shared by several files count once per file).
 *   4.19+:   "%u shrinkable [%u free] objects, %llu bytes", then memory
 *            regions. Only objects with pages on the shrinker lists count
 *            there, so the metrics have their own names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/sources.h"

int parse_i915_gem_objects(const char *text, struct i915_objects_stats *out)
{
	memset(out, 0, sizeof(*out));
	unsigned long long a, b, c;
	if (sscanf(text, "%llu shrinkable [%llu free] objects, %llu bytes", &a, &b, &c) == 3) {
		if (!COUNT_OK(a) || !COUNT_OK(b) || !COUNT_OK(c))
			return -ERANGE;
		out->modern = true;
		out->objects = a;
		out->free_objects = b;
		out->bytes = c;
		return 0;
	}
	int used = 0;
	if (sscanf(text, "%llu objects, %llu bytes%n", &a, &b, &used) != 2 || used == 0)
		return -EINVAL;
	if (!COUNT_OK(a) || !COUNT_OK(b))
		return -ERANGE;
	out->objects = a;
	out->bytes = b;
	bool per_file = false;
	const char *line = strchr(text, '\n');
	while (line && *++line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char l[256];
		snprintf(l, sizeof(l), "%.*s", (int)(len < sizeof(l) ? len : sizeof(l) - 1), line);
		line = eol;
		if (len == 0) {
			per_file = true; /* the blank line before the per-file lines */
			continue;
		}
		if (!out->has_gtt && strstr(l, "bytes in gtt") &&
		    sscanf(l, "%llu [%llu] objects,", &a, &b) == 2) {
			if (!COUNT_OK(a))
				return -ERANGE;
			out->has_gtt = true;
			out->gtt_objects = a;
		}
		const char *colon = strstr(l, ": ");
		if (per_file && colon && sscanf(colon, ": %llu objects,", &a) == 1) {
			if (!COUNT_OK(a))
				return -ERANGE;
			out->clients++;
			out->client_objects += a;
		}
	}
	return 0;
}

static int put_i915_objects(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	struct i915_objects_stats s;
	int r = parse_i915_gem_objects(text, &s);
	if (r)
		return r;
	if (s.modern) {
		batch_put(b, "i915.shrinkable_objects", (double)s.objects, "count");
		batch_put(b, "i915.free_objects", (double)s.free_objects, "count");
		return batch_put(b, "i915.shrinkable_bytes", (double)s.bytes, "bytes");
	}
	batch_put(b, "i915.objects", (double)s.objects, "count");
	if (s.has_gtt)
		batch_put(b, "i915.gtt_objects", (double)s.gtt_objects, "count");
	/* Objects no file has a handle to are counted in no per-file line:
	 * i915.objects growing while this does not is such a leak. */
	if (s.clients)
		batch_put(b, "i915.file_objects", (double)s.client_objects, "count");
	return batch_put(b, "i915.object_bytes", (double)s.bytes, "bytes");
}

static const struct text_source i915_objects = {
	.file = "i915_gem_objects", .dri = true, .i915_only = true,
	.format = "first line is neither \"N objects, B bytes\" nor \"N shrinkable [F free] objects, B bytes\"",
	.put = put_i915_objects,
};

static int collect_i915_objects(const struct source_ctx *ctx, struct metric_batch *b, char *why,
				size_t whylen)
{
	return source_collect_text(ctx, &i915_objects, b, why, whylen);
}

static const struct metric_decl i915_objects_metrics[] = {
	{ "i915.objects", "count", METRIC_GAUGE, true, "objects (dri/N/i915_gem_objects, 3.x-4.x)" },
	{ "i915.object_bytes", "bytes", METRIC_GAUGE, true, "their size (3.x-4.x)" },
	{ "i915.gtt_objects", "count", METRIC_GAUGE, true, "objects in the GTT (3.x-4.x)" },
	{ "i915.file_objects", "count", METRIC_GAUGE, true,
	  "objects of the per-file lines, summed (3.x-4.x)" },
	{ "i915.shrinkable_objects", "count", METRIC_GAUGE, true, "shrinkable objects (4.19+)" },
	{ "i915.free_objects", "count", METRIC_GAUGE, true, "objects waiting to be freed (4.19+)" },
	{ "i915.shrinkable_bytes", "bytes", METRIC_GAUGE, true, "size of the shrinkable objects (4.19+)" },
	METRIC_DECL_END,
};
const struct source source_i915_objects = { "i915_gem_objects", collect_i915_objects, i915_objects_metrics };
