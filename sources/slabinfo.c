/* /proc/slabinfo: the active objects of i915's slab caches, named by era:
 *   VMAs:    "i915_gem_vma" (4.5–4.9), "i915_vma" (4.10+, KMEM_CACHE);
 *            before 4.5 VMAs were kmalloc'ed and have no cache of their own
 *   objects: "i915_gem_object" (3.x–4.9), "drm_i915_gem_object" (4.10+)
 * SLUB merges caches of similar size unless booted with slab_nomerge, and
 * then a cache does not appear under its own name: that is said in the
 * event the sampler records, never guessed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/sources.h"

int parse_slabinfo_cache(const char *text, const char *cache, uint64_t *active, uint64_t *total)
{
	if (strncmp(text, "slabinfo - version: 2.", 22) != 0)
		return -EINVAL;
	size_t n = strlen(cache);
	for (const char *l = text; l; l = strchr(l, '\n')) {
		if (*l == '\n')
			l++;
		if (strncmp(l, cache, n) != 0 || (l[n] != ' ' && l[n] != '\t'))
			continue;
		unsigned long long a, t;
		if (sscanf(l + n, "%llu %llu", &a, &t) != 2)
			return -EINVAL;
		if (!COUNT_OK(a) || !COUNT_OK(t))
			return -ERANGE;
		*active = a;
		*total = t;
		return 0;
	}
	return -ENOENT;
}

/* The first of the era names present; -ENOENT when none is. */
static int find_cache(const char *text, const char *const *names, uint64_t *active)
{
	uint64_t total;
	for (; *names; names++) {
		int r = parse_slabinfo_cache(text, *names, active, &total);
		if (r != -ENOENT)
			return r;
	}
	return -ENOENT;
}

static int collect_slabinfo(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			    size_t whylen)
{
	static const char *const vma_caches[] = { "i915_vma", "i915_gem_vma", NULL };
	static const char *const obj_caches[] = { "drm_i915_gem_object", "i915_gem_object", NULL };
	if (!ctx->i915)
		return 0;
	char path[512];
	char *text = source_read_under(ctx->procfs, "slabinfo", path, sizeof(path), why, whylen);
	if (!text)
		return -errno;
	uint64_t vmas = 0, objs = 0;
	int rv = find_cache(text, vma_caches, &vmas);
	int ro = find_cache(text, obj_caches, &objs);
	free(text);
	if (rv == -EINVAL || ro == -EINVAL || rv == -ERANGE || ro == -ERANGE)
		return source_parse_failed(rv == -ERANGE || ro == -ERANGE ? -ERANGE : -EINVAL, path,
					   "not in the slabinfo 2.x format", why, whylen);
	if (rv && ro) {
		snprintf(why, whylen, "%s: no i915 VMA or object cache (SLUB may have merged them into "
			 "other caches: boot with slab_nomerge to see them)", path);
		return -ENOENT;
	}
	if (!rv)
		batch_put(b, "i915.slab_vmas", (double)vmas, "count");
	if (!ro)
		batch_put(b, "i915.slab_objects", (double)objs, "count");
	return 0;
}

const struct source source_slabinfo = { "slabinfo", collect_slabinfo };
