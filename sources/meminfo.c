/* /proc/meminfo: shmem backs GEM objects on most drivers, and leaked
 * objects, VMAs and dma-bufs end up in (unreclaimable) slab. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/sources.h"

/* "Key:   123 kB" lines; the key must match a whole line prefix. */
static int parse_kb_line(const char *text, const char *key, uint64_t *kb)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			unsigned long long v;
			if (sscanf(p + klen + 1, " %llu", &v) != 1)
				return -EINVAL;
			if (!COUNT_OK(v))
				return -ERANGE;
			*kb = v;
			return 0;
		}
	}
	return -ENOENT;
}

int parse_meminfo_kb(const char *text, const char *key, uint64_t *kb)
{
	return parse_kb_line(text, key, kb);
}

int parse_status_rss_kb(const char *text, uint64_t *kb)
{
	return parse_kb_line(text, "VmRSS", kb);
}

static int collect_meminfo(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			   size_t whylen)
{
	static const struct { const char *key, *metric; } keys[] = {
		{ "Shmem", "mem.shmem_kb" },
		{ "Slab", "mem.slab_kb" },
		{ "SUnreclaim", "mem.sunreclaim_kb" },
	};
	char path[512];
	char *text = source_read_under(ctx->procfs, "meminfo", path, sizeof(path), why, whylen);
	if (!text)
		return -errno;
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys) && !r; i++) {
		uint64_t kb;
		r = parse_meminfo_kb(text, keys[i].key, &kb);
		if (r == -ERANGE)
			source_parse_failed(r, path, "", why, whylen);
		else if (r)
			snprintf(why, whylen, "%s: no %s line", path, keys[i].key);
		else
			r = batch_put(b, keys[i].metric, (double)kb, "kB");
	}
	free(text);
	return r;
}

static const struct metric_decl meminfo_metrics[] = {
	{ "mem.shmem_kb", "kB", METRIC_GAUGE, true, "Shmem of /proc/meminfo: GEM objects' backing store" },
	{ "mem.slab_kb", "kB", METRIC_GAUGE, false,
	  "Slab: includes the reclaimable slab a clean kernel keeps" },
	{ "mem.sunreclaim_kb", "kB", METRIC_GAUGE, true, "SUnreclaim: the unreclaimable slab" },
	METRIC_DECL_END,
};
const struct source source_meminfo = { "meminfo", collect_meminfo, meminfo_metrics };
