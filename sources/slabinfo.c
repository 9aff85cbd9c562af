/* /proc/slabinfo: the active objects of the slab caches DRM objects live
 * in, by name.
 *
 * Every driver (Debian's 6.1, read in the VM with slab_nomerge): no GEM
 * object or dma-buf has a cache of its own there (vgem's objects and
 * struct dma_buf are kmalloc'ed, shared with the rest of the kernel);
 * what is counted by name is what each holds:
 *   "shmem_inode_cache": the shmem file backing each GEM object of a
 *            shmem-backed driver (vgem, i915, virtio_gpu), and tmpfs files
 *   "filp":  every open file: DRM files, dma-bufs, sync_files, and each GEM
 *            object's shmem file
 *   "inode_cache": the inode of each dma-buf (dma-buf's pseudo filesystem),
 *            and other pseudo filesystems'; reclaimable slab, recorded only
 * i915's own, named by era:
 *   VMAs:    "i915_gem_vma" (4.5–4.9), "i915_vma" (4.10+, KMEM_CACHE);
 *            before 4.5 VMAs were kmalloc'ed and have no cache of their own
 *   objects: "i915_gem_object" (3.x–4.9), "drm_i915_gem_object" (4.10+)
 * SLUB merges caches of similar size unless booted with slab_nomerge.
 * shmem_inode_cache and inode_cache have constructors and are never
 * merged; filp may be, and then counts the other caches merged into it
 * (its line stays, as the first of them) or is missing (merged into an
 * older one). A missing cache is said in the event the sampler records,
 * never guessed. */
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

/* The DRM caches every driver's objects use, as slab.NAME; -ENOENT (with
 * why) when not one of them is there. */
static int put_drm_caches(const char *text, const char *path, struct metric_batch *b, char *why, size_t whylen)
{
	static const char *const caches[] = { "shmem_inode_cache", "filp", "inode_cache" };
	int found = 0;
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		uint64_t active, total;
		int r = parse_slabinfo_cache(text, caches[i], &active, &total);
		if (r == -ENOENT)
			continue;
		if (r)
			return source_parse_failed(r, path, "not in the slabinfo 2.x format", why, whylen);
		char name[64];
		snprintf(name, sizeof(name), "slab.%s", caches[i]);
		batch_put(b, name, (double)active, "count");
		found++;
	}
	if (!found) {
		snprintf(why, whylen, "%s: no shmem_inode_cache, filp or inode_cache line", path);
		return -ENOENT;
	}
	return 0;
}

/* i915's VMA and object caches, by era; -ENOENT (with why) when neither. */
static int put_i915_caches(const char *text, const char *path, struct metric_batch *b, char *why, size_t whylen)
{
	static const char *const vma_caches[] = { "i915_vma", "i915_gem_vma", NULL };
	static const char *const obj_caches[] = { "drm_i915_gem_object", "i915_gem_object", NULL };
	uint64_t vmas = 0, objs = 0;
	int rv = find_cache(text, vma_caches, &vmas);
	int ro = find_cache(text, obj_caches, &objs);
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

static int collect_slabinfo(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			    size_t whylen)
{
	char path[512];
	char *text = source_read_under(ctx->procfs, "slabinfo", path, sizeof(path), why, whylen);
	if (!text)
		return -errno;
	int r = put_drm_caches(text, path, b, why, whylen);
	if (ctx->i915 && r != -EINVAL && r != -ERANGE) {
		/* On i915 its own caches are the ones that matter most. */
		int ri = put_i915_caches(text, path, b, why, whylen);
		r = ri ? ri : r == -ENOENT ? 0 : r;
	}
	free(text);
	return r;
}

static const struct metric_decl slabinfo_metrics[] = {
	{ "slab.shmem_inode_cache", "count", METRIC_GAUGE, true,
	  "active objects of /proc/slabinfo shmem_inode_cache (a GEM object's backing file)" },
	{ "slab.filp", "count", METRIC_GAUGE, true, "active objects of filp (open files)" },
	{ "slab.inode_cache", "count", METRIC_GAUGE, false, "active objects of inode_cache (reclaimable)" },
	{ "i915.slab_vmas", "count", METRIC_GAUGE, true, "active objects of i915_vma or i915_gem_vma" },
	{ "i915.slab_objects", "count", METRIC_GAUGE, true,
	  "active objects of drm_i915_gem_object or i915_gem_object" },
	METRIC_DECL_END,
};
const struct source source_slabinfo = { "slabinfo", collect_slabinfo, slabinfo_metrics };
