/* debugfs dri/N/i915_gem_gtt (i915_gem_gtt_info): the objects with any
 * binding, one line each from describe_obj, then
 * "Total %d objects, %zu bytes, %zu GTT size". The bindings (VMAs) in the
 * line, by era:
 *   3.x:   " (gtt offset: %08lx, size: %08x)"           one, in the GGTT
 *   4.x:   " (%sgtt offset: %08llx, size: %08llx)"      per VMA, "g" or "pp"
 *   newer: " (%s offset: %08llx, size: %08llx, ..."     per VMA, "ggtt",
 *          "ppgtt" (stringify_vma_type) or views such as "ggtt-rotated"
 * Seed 004's leak is VMAs (and their address spaces) that stay on objects
 * someone else keeps: vmas_ppgtt grows. " (name: %d)" marks flinked objects,
 * which is what igt's flink-and-exit-vma-leak looks for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/sources.h"

/* One "(WORD offset: ..." entry: WORD is gtt (3.x), ggtt or ppgtt (4.x and
 * newer), ggtt-<view> or dpt (newer). */
static void count_vma(const char *word, size_t len, struct i915_gtt_stats *out)
{
	out->vmas++;
	if (len >= 2 && strncmp(word, "pp", 2) == 0)
		out->vmas_ppgtt++;
	else if (len >= 1 && word[0] == 'g')
		out->vmas_ggtt++;
}

static void scan_object_line(const char *l, struct i915_gtt_stats *out)
{
	uint64_t before = out->vmas;
	for (const char *p = strchr(l, '('); p; p = strchr(p + 1, '(')) {
		size_t len = strcspn(p + 1, " ()");
		if (strncmp(p + 1 + len, " offset: ", 9) == 0)
			count_vma(p + 1, len, out);
	}
	/* igt's flink-and-exit probe, for every name at once: an object its
	 * owner shares but does not use should carry no more VMAs than there
	 * are importers using it right now. */
	if (strstr(l, "(name: ")) {
		out->named++;
		if (out->vmas - before > out->named_max_vmas)
			out->named_max_vmas = out->vmas - before;
	}
}

int parse_i915_gem_gtt(const char *text, struct i915_gtt_stats *out)
{
	memset(out, 0, sizeof(*out));
	bool total = false;
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = strndup(line, len);
		if (!l)
			return -ENOMEM;
		unsigned long long n, b;
		if (sscanf(l, "Total %llu objects, %llu bytes", &n, &b) == 2) {
			if (!COUNT_OK(n) || !COUNT_OK(b)) {
				free(l);
				return -ERANGE;
			}
			out->objects = n;
			out->bytes = b;
			total = true;
		} else if (strstr(l, "offset: ")) {
			scan_object_line(l, out);
		}
		free(l);
		line += len + (eol ? 1 : 0);
	}
	return total ? 0 : -EINVAL;
}

bool i915_gtt_lists_name(const char *text, uint32_t name)
{
	char needle[32];
	snprintf(needle, sizeof(needle), "(name: %u)", name);
	return strstr(text, needle) != NULL;
}

static int put_i915_gtt(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	struct i915_gtt_stats s;
	int r = parse_i915_gem_gtt(text, &s);
	if (r)
		return r;
	batch_put(b, "i915.bound_objects", (double)s.objects, "count");
	batch_put(b, "i915.bound_bytes", (double)s.bytes, "bytes");
	batch_put(b, "i915.bound_named_objects", (double)s.named, "count");
	batch_put(b, "i915.named_object_max_vmas", (double)s.named_max_vmas, "count");
	batch_put(b, "i915.vmas", (double)s.vmas, "count");
	batch_put(b, "i915.vmas_ggtt", (double)s.vmas_ggtt, "count");
	return batch_put(b, "i915.vmas_ppgtt", (double)s.vmas_ppgtt, "count");
}

static const struct text_source i915_gtt = {
	.file = "i915_gem_gtt", .dri = true, .i915_only = true,
	.format = "no \"Total N objects, B bytes\" line", .put = put_i915_gtt,
};

static int collect_i915_gtt(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			    size_t whylen)
{
	return source_collect_text(ctx, &i915_gtt, b, why, whylen);
}

static const struct metric_decl i915_gtt_metrics[] = {
	{ "i915.bound_objects", "count", METRIC_GAUGE, true,
	  "objects bound in an address space (dri/N/i915_gem_gtt)" },
	{ "i915.bound_bytes", "bytes", METRIC_GAUGE, true, "their size" },
	{ "i915.bound_named_objects", "count", METRIC_GAUGE, true, "bound objects with a flink name" },
	{ "i915.named_object_max_vmas", "count", METRIC_GAUGE, true, "the most VMAs on one flinked object" },
	{ "i915.vmas", "count", METRIC_GAUGE, true, "VMAs" },
	{ "i915.vmas_ggtt", "count", METRIC_GAUGE, true, "of those, in the global GTT" },
	{ "i915.vmas_ppgtt", "count", METRIC_GAUGE, true, "of those, in a per-process GTT" },
	METRIC_DECL_END,
};
const struct source source_i915_gtt = { "i915_gem_gtt", collect_i915_gtt, i915_gtt_metrics };
