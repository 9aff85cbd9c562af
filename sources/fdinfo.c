/* The DRM files of every process, per DRM client, as their fdinfo shows
 * them (drm-usage-stats keys; parser in sources/fdinfo-parse.c). The
 * fds whose link names a DRM node (/dev/dri/..., or the daemon's device)
 * are read; each file counts once (by drm-client-id: fork and SCM_RIGHTS
 * share one file), as held by a workload when a worker holds it, else by
 * another process. drm-total-* is every object with a handle on the
 * file: GEM memory held on files of live processes, told apart from
 * names and objects with no handle (sources/holders.c). A buffer leaked
 * between processes stays in drm-shared-* of the file that still holds
 * it; kernel-internal leaks (VMAs) do not show here. The memory keys came
 * with 6.5's drm_show_memory_stats (i915: 6.8); on 6.1 the source is
 * unavailable, said once. Sampled on i915. The walk is the bounded one
 * of sources/proc-walk.c (a process beyond its budget counts with the
 * DRM files it had at its last visit, their fdinfo read each round); at
 * most MAX_FILES files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/proc-walk.h"
#include "sources/sources.h"

#define MAX_FILES 4096

enum holder { HELD_BY_WORKLOAD = 1, HELD_BY_OTHER = 2 };

struct client {
	struct drm_fdinfo f;
	unsigned char who;   /* enum holder bits */
};

struct scan {
	struct client c[MAX_FILES];
	size_t n;
	uint64_t dropped;    /* files past MAX_FILES */
};

struct scan_arg {
	const char *procfs;
	struct scan *s;
};

static void add_file(struct scan *s, const struct drm_fdinfo *f, unsigned char who)
{
	for (size_t i = 0; f->client_id && i < s->n; i++)
		if (s->c[i].f.client_id == f->client_id) {
			s->c[i].who |= who; /* the same file, inherited or passed */
			return;
		}
	if (s->n == MAX_FILES) {
		s->dropped++;
		return;
	}
	s->c[s->n].f = *f;
	s->c[s->n++].who = who;
}

/* proc_walk_each_fd's visit of a DRM file: its fdinfo read now. A file
 * whose fd has been closed since the process's last visit is no DRM
 * file's fdinfo any more, and is skipped. */
static void scan_file(const struct walk_proc *p, const struct walk_fd *fd, void *arg)
{
	const struct scan_arg *a = arg;
	char path[300];
	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", a->procfs, p->pid, fd->fd);
	char *text = read_text_file(path, NULL);
	struct drm_fdinfo f;
	if (text && parse_drm_fdinfo(text, &f) == 0)
		add_file(a->s, &f, p->worker ? HELD_BY_WORKLOAD : HELD_BY_OTHER);
	free(text);
}

static int collect_fdinfo(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			  size_t whylen)
{
	if (!ctx->i915 || !ctx->workers)
		return 0;
	struct scan *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	struct scan_arg a = { ctx->procfs, s };
	int r = proc_walk_each_fd(ctx, FD_DRM, scan_file, &a);
	if (r) {
		snprintf(why, whylen, "%s: %s", ctx->procfs, strerror(-r));
		free(s);
		return r;
	}
	/* The workers' files, as before; and every file by its holder. */
	uint64_t wl_files = 0, wl_total = 0, wl_shared = 0, wl_resident = 0;
	uint64_t other_files = 0, other_total = 0, shared = 0;
	bool memory = false;
	for (size_t i = 0; i < s->n; i++) {
		const struct drm_fdinfo *f = &s->c[i].f;
		memory |= f->has_memory;
		shared += f->shared;
		if (s->c[i].who & HELD_BY_WORKLOAD) {
			wl_files++;
			wl_total += f->total;
			wl_shared += f->shared;
			wl_resident += f->resident;
		} else {
			other_files++;
			other_total += f->total;
		}
	}
	if (wl_files == 0 && !memory) {
		/* No worker's file (between restarts): nothing says whether the
		 * kernel has the keys, so no "available again" either. */
		r = SOURCE_NO_DATA;
	} else if (!memory) {
		snprintf(why, whylen, "%s/PID/fdinfo of %zu DRM file(s): no drm-total-*/drm-shared-* keys (the"
			 " kernel's fdinfo has no memory stats: they came with 6.5, on i915 with 6.8); GEM memory"
			 " per DRM client is not sampled", ctx->procfs, s->n);
		r = -ENOTSUP;
	} else {
		batch_put(b, "drm.fdinfo_files", (double)wl_files, "count");
		batch_put(b, "drm.fdinfo_total_bytes", (double)wl_total, "bytes");
		batch_put(b, "drm.fdinfo_shared_bytes", (double)wl_shared, "bytes");
		batch_put(b, "drm.fdinfo_resident_bytes", (double)wl_resident, "bytes");
		batch_put(b, "gem.clients_by_workload", (double)wl_files, "count");
		batch_put(b, "gem.clients_by_other", (double)other_files, "count");
		batch_put(b, "gem.client_bytes", (double)(wl_total + other_total), "bytes");
		batch_put(b, "gem.client_bytes_by_workload", (double)wl_total, "bytes");
		batch_put(b, "gem.client_bytes_by_other", (double)other_total, "bytes");
		batch_put(b, "gem.client_shared_bytes", (double)shared, "bytes");
		r = batch_put(b, "gem.clients_uncounted", (double)s->dropped, "count");
	}
	free(s);
	return r;
}

static const struct metric_decl fdinfo_metrics[] = {
	{ "drm.fdinfo_files", "count", METRIC_GAUGE, true, "the workers' DRM files (/proc/PID/fdinfo)" },
	{ "drm.fdinfo_total_bytes", "bytes", METRIC_GAUGE, true,
	  "memory of the workers' DRM files (drm-total-*)" },
	{ "drm.fdinfo_shared_bytes", "bytes", METRIC_GAUGE, true, "of it, shared (drm-shared-*)" },
	{ "drm.fdinfo_resident_bytes", "bytes", METRIC_GAUGE, true, "of it, resident (drm-resident-*)" },
	{ "gem.clients_by_workload", "count", METRIC_GAUGE, true, "DRM clients of the workers" },
	{ "gem.clients_by_other", "count", METRIC_GAUGE, true, "DRM clients of other processes" },
	{ "gem.client_bytes", "bytes", METRIC_GAUGE, true,
	  "GEM memory of every DRM client (drm-total-*, 6.5+)" },
	{ "gem.client_bytes_by_workload", "bytes", METRIC_GAUGE, true, "of it, the workers' clients" },
	{ "gem.client_bytes_by_other", "bytes", METRIC_GAUGE, true, "of it, other processes' clients" },
	{ "gem.client_shared_bytes", "bytes", METRIC_GAUGE, true, "GEM memory shared between clients" },
	{ "gem.clients_uncounted", "count", METRIC_GAUGE, true,
	  "DRM clients beyond the table's bound, not counted" },
	METRIC_DECL_END,
};
const struct source source_fdinfo = { "fdinfo", collect_fdinfo, fdinfo_metrics };
