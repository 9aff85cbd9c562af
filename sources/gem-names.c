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

#include "sources/sources.h"

int parse_gem_names(const char *text, struct gem_names_stats *out)
{
	memset(out, 0, sizeof(*out));
	const char *line = text;
	bool header = false;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[160];
		if (len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, line, len);
		buf[len] = '\0';
		line += len + (end ? 1 : 0);
		if (strspn(buf, " \t") == len)
			continue;
		if (!header) {
			if (!strstr(buf, "name") || !strstr(buf, "handles") || !strstr(buf, "refcount"))
				return -EINVAL;
			header = true;
			continue;
		}
		long long name, size, handles, refcount;
		char extra;
		if (sscanf(buf, "%lld %lld %lld %lld %c", &name, &size, &handles, &refcount, &extra) != 4 ||
		    name < 0 || size < 0 || handles < 0 || refcount < 0)
			return -EINVAL;
		out->names++;
		out->bytes += (uint64_t)size;
		out->handles += (uint64_t)handles;
		out->refcount += (uint64_t)refcount;
	}
	return header ? 0 : -EINVAL;
}

static int collect_gem_names(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			     size_t whylen)
{
	char path[512];
	char *text = source_read_dri(ctx, "gem_names", path, sizeof(path), why, whylen);
	if (!text)
		return -errno;
	struct gem_names_stats s;
	int r = parse_gem_names(text, &s);
	free(text);
	if (r) {
		snprintf(why, whylen, "%s: unrecognised format", path);
		return r;
	}
	batch_put(b, "gem.flink_names", (double)s.names, "count");
	batch_put(b, "gem.flink_handles", (double)s.handles, "count");
	batch_put(b, "gem.flink_refcount", (double)s.refcount, "count");
	return batch_put(b, "gem.flink_bytes", (double)s.bytes, "bytes");
}

const struct source source_gem_names = { "gem_names", collect_gem_names };
