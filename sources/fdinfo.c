/* The workers' DRM files as their fdinfo shows them (drm-usage-stats keys;
 * parser in sources/fdinfo-parse.c), each file once (by drm-client-id). A
 * buffer leaked between processes stays in drm-shared-* of the file that
 * still holds it; kernel-internal leaks (VMAs) do not show here. Sampled
 * on i915, whose fdinfo has the memory keys since 6.x. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/sources.h"
#include "sources/workers.h"

#define MAX_FILES 1024

struct fdinfo_sum {
	uint64_t files, total, shared, resident;
	bool memory;
	uint64_t seen[MAX_FILES];
};

static void add_file(struct fdinfo_sum *s, const struct drm_fdinfo *f)
{
	for (uint64_t i = 0; i < s->files && i < MAX_FILES; i++)
		if (f->client_id && s->seen[i] == f->client_id)
			return; /* the same file, inherited or passed */
	if (s->files < MAX_FILES)
		s->seen[s->files] = f->client_id;
	s->files++;
	s->total += f->total;
	s->shared += f->shared;
	s->resident += f->resident;
	s->memory |= f->has_memory;
}

static void scan_process(const struct source_ctx *ctx, pid_t pid, struct fdinfo_sum *s)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%d/fdinfo", ctx->procfs, (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return; /* the worker just exited */
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		char *text = read_text_file(path, NULL);
		struct drm_fdinfo f;
		if (text && parse_drm_fdinfo(text, &f) == 0)
			add_file(s, &f);
		free(text);
	}
	closedir(d);
}

static int collect_fdinfo(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			  size_t whylen)
{
	if (!ctx->i915 || !ctx->workers)
		return 0;
	const pid_t *pids = ctx->workers->pids;
	size_t n = ctx->workers->npids;
	struct fdinfo_sum *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		scan_process(ctx, pids[i], s);
	int r = 0;
	if (n == 0) {
		/* No worker alive (between restarts): nothing says whether the
		 * kernel has the keys, so no "available again" either. */
		r = SOURCE_NO_DATA;
	} else if (!s->memory) {
		snprintf(why, whylen, "%s/PID/fdinfo of %zu worker(s): no DRM file with drm-total-*/drm-shared-* "
			 "keys (the kernel's fdinfo has no memory stats)", ctx->procfs, n);
		r = -ENOTSUP;
	} else {
		batch_put(b, "drm.fdinfo_files", (double)s->files, "count");
		batch_put(b, "drm.fdinfo_total_bytes", (double)s->total, "bytes");
		batch_put(b, "drm.fdinfo_shared_bytes", (double)s->shared, "bytes");
		r = batch_put(b, "drm.fdinfo_resident_bytes", (double)s->resident, "bytes");
	}
	free(s);
	return r;
}

const struct source source_fdinfo = { "fdinfo", collect_fdinfo };
