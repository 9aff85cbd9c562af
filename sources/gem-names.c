/* debugfs dri/N/gem_names: one row per flink name with its size, handle
 * count and refcount (drm_gem_name_info, unchanged since 3.x):
 *   "  name     size handles refcount"
 *   "%6d %8zd %7d %8d"
 * A flinked object whose handles are all closed loses its name, so a
 * growing row count is a leak of flinked objects (seed 002's case). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/sources.h"

/* Up to n non-negative decimal fields separated by blanks, and nothing
 * after them; the number of fields read, or -1. strtoll per field, not
 * sscanf per line: gem_names has a line per flink name, so with 10,000
 * objects this loop is most of the daemon's own CPU per sample. */
static int parse_fields(const char *s, const char *end, long long *v, int n)
{
	int got = 0;
	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			return got;
		if (got == n || *s < '0' || *s > '9')
			return -1;
		char *e;
		errno = 0;
		v[got++] = strtoll(s, &e, 10);
		if (errno || e > end || (e < end && *e != ' ' && *e != '\t'))
			return -1;
		s = e;
	}
}

int parse_gem_names(const char *text, struct gem_names_stats *out)
{
	memset(out, 0, sizeof(*out));
	bool header = false;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);
		const char *next = nl ? nl + 1 : end;
		if ((size_t)(end - line) >= 160)
			return -EINVAL;
		if (strspn(line, " \t") >= (size_t)(end - line)) {
			line = next;
			continue;
		}
		if (!header) {
			/* The header has "name", "handles" and "refcount". */
			size_t len = (size_t)(end - line);
			if (!mem_contains(line, len, "name") || !mem_contains(line, len, "handles") ||
			    !mem_contains(line, len, "refcount"))
				return -EINVAL;
			header = true;
			line = next;
			continue;
		}
		long long f[4]; /* name size handles refcount */
		if (parse_fields(line, end, f, 4) != 4)
			return -EINVAL;
		out->names++;
		out->bytes += (uint64_t)f[1];
		out->handles += (uint64_t)f[2];
		out->refcount += (uint64_t)f[3];
		line = next;
	}
	return header ? 0 : -EINVAL;
}

static int put_gem_names(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	struct gem_names_stats s;
	int r = parse_gem_names(text, &s);
	if (r)
		return r;
	batch_put(b, "gem.flink_names", (double)s.names, "count");
	batch_put(b, "gem.flink_handles", (double)s.handles, "count");
	batch_put(b, "gem.flink_refcount", (double)s.refcount, "count");
	return batch_put(b, "gem.flink_bytes", (double)s.bytes, "bytes");
}

static const struct text_source gem_names = {
	.file = "gem_names", .dri = true,
	.format = "unrecognised format", .put = put_gem_names,
};

static int collect_gem_names(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			     size_t whylen)
{
	return source_collect_text(ctx, &gem_names, b, why, whylen);
}

static const struct metric_decl gem_names_metrics[] = {
	{ "gem.flink_names", "count", METRIC_GAUGE, true, "flink names (dri/N/gem_names)" },
	{ "gem.flink_handles", "count", METRIC_GAUGE, true, "handles on named objects" },
	{ "gem.flink_refcount", "count", METRIC_GAUGE, true, "references to named objects" },
	{ "gem.flink_bytes", "bytes", METRIC_GAUGE, true, "size of named objects" },
	METRIC_DECL_END,
};
const struct source source_gem_names = { "gem_names", collect_gem_names, gem_names_metrics };
