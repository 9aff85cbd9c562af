/* Who holds what grows, sampled over time as Android's dmabuf_dump does
 * once: each dma-buf of debugfs dma_buf/bufinfo is matched by inode with
 * every process's /proc/PID/fd and /proc/PID/maps, and counted as held by
 * a workload process, by another process, or by no process (only inside
 * the kernel: dmabuf.orphaned). Flink names are split by gem_names' handle
 * count: held by an open DRM file, or by nothing but the kernel. The walk
 * of /proc is the bounded one of sources/proc-walk.c: a process beyond
 * its budget counts with what it held at its last visit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/holders.h"
#include "sources/proc-walk.h"
#include "sources/sources.h"
#include "sources/workers.h"

#define MAX_BUFS 65536

static int by_ino(const void *a, const void *b)
{
	const struct dmabuf_row *x = a, *y = b;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Holder marks per buffer: 1 a workload process, 2 another process. */
struct scan {
	struct dmabuf_row *rows;
	unsigned char *mark;
	size_t n;
};

static void mark_ino(struct scan *s, uint64_t ino, unsigned char who)
{
	struct dmabuf_row key = { ino, 0 };
	struct dmabuf_row *r = bsearch(&key, s->rows, s->n, sizeof(*r), by_ino);
	if (r)
		s->mark[r - s->rows] |= who;
}

/* proc_walk_each_fd's visit of a dma-buf fd: workers mark 1, the others 2. */
static void mark_fd(const struct walk_proc *p, const struct walk_fd *f, void *arg)
{
	mark_ino(arg, f->ino, p->worker ? 1 : 2);
}

/* Mark the dma-bufs each process holds, by fd or by mapping, as the
 * round's walk last saw it. */
static int mark_holders(const struct source_ctx *ctx, struct scan *s)
{
	int r = proc_walk_each_fd(ctx, FD_DMABUF, mark_fd, s);
	size_t n;
	const struct walk_proc *p = r ? NULL : proc_walk_get(ctx, &n);
	for (size_t i = 0; p && i < n; i++)
		for (size_t j = 0; j < p[i].nmaps; j++)
			mark_ino(s, p[i].maps[j], p[i].worker ? 1 : 2);
	return r;
}

static int collect_dmabuf_holders(const struct source_ctx *ctx, struct metric_batch *b)
{
	char path[512], why[256];
	char *text = source_read_under(ctx->debugfs, "dma_buf/bufinfo", path, sizeof(path), why, sizeof(why));
	if (!text) {
		int e = errno;
		proc_walk_want_maps(false); /* no dma-buf to find in maps */
		return -e;
	}
	/* A buffer's row is at least 40 characters: room for them all. */
	size_t cap = strlen(text) / 40 + 1;
	cap = cap < MAX_BUFS ? cap : MAX_BUFS;
	struct scan s = { calloc(cap, sizeof(*s.rows)), NULL, 0 };
	size_t all = 0;
	int r = s.rows ? parse_dmabuf_rows(text, s.rows, cap, &all) : -ENOMEM;
	free(text);
	if (r) {
		proc_walk_want_maps(false); /* no inode to match */
		free(s.rows);
		return r;
	}
	s.n = all < cap ? all : cap;
	proc_walk_want_maps(s.n > 0);
	s.mark = calloc(s.n + 1, 1);
	if (!s.mark) {
		free(s.rows);
		return -ENOMEM;
	}
	qsort(s.rows, s.n, sizeof(*s.rows), by_ino);
	if (s.n && (r = mark_holders(ctx, &s)) != 0) {
		free(s.mark);
		free(s.rows);
		return r;
	}
	uint64_t by_wl = 0, by_other = 0, orphaned = 0, held_bytes = 0, orphaned_bytes = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.mark[i] & 1)
			by_wl++;
		else if (s.mark[i] & 2)
			by_other++;
		if (s.mark[i]) {
			held_bytes += s.rows[i].size;
		} else {
			orphaned++;
			orphaned_bytes += s.rows[i].size;
		}
	}
	free(s.mark);
	free(s.rows);
	batch_put(b, "dmabuf.held", (double)(by_wl + by_other), "count");
	batch_put(b, "dmabuf.held_by_workload", (double)by_wl, "count");
	batch_put(b, "dmabuf.held_by_other", (double)by_other, "count");
	batch_put(b, "dmabuf.held_bytes", (double)held_bytes, "bytes");
	batch_put(b, "dmabuf.orphaned", (double)orphaned, "count");
	return batch_put(b, "dmabuf.orphaned_bytes", (double)orphaned_bytes, "bytes");
}

static int collect_holders(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	char path[512];
	int rg = -ENOENT, rd;
	char *text = source_read_dri(ctx, "gem_names", path, sizeof(path), why, whylen);
	if (text) {
		struct gem_holders g;
		rg = parse_gem_names_holders(text, &g);
		free(text);
		if (rg == 0) {
			batch_put(b, "gem.names_held", (double)g.held, "count");
			batch_put(b, "gem.names_unheld", (double)g.unheld, "count");
			batch_put(b, "gem.names_held_bytes", (double)g.held_bytes, "bytes");
			rg = batch_put(b, "gem.names_unheld_bytes", (double)g.unheld_bytes, "bytes");
		}
	}
	rd = collect_dmabuf_holders(ctx, b);
	if (rg && rd) {
		snprintf(why, whylen, "neither gem_names (%s) nor %s/dma_buf/bufinfo with an ino column (%s)",
			 strerror(-rg), ctx->debugfs, strerror(-rd));
		return rd;
	}
	return 0;
}

static const struct metric_decl holders_metrics[] = {
	{ "dmabuf.held", "count", METRIC_GAUGE, true, "dma-bufs a process holds (fd or mapping)" },
	{ "dmabuf.held_by_workload", "count", METRIC_GAUGE, true, "of those, held by a worker" },
	{ "dmabuf.held_by_other", "count", METRIC_GAUGE, true, "of those, held by another process" },
	{ "dmabuf.held_bytes", "bytes", METRIC_GAUGE, true, "size of the held dma-bufs" },
	{ "dmabuf.orphaned", "count", METRIC_GAUGE, true, "dma-bufs no process holds (kept by the kernel)" },
	{ "dmabuf.orphaned_bytes", "bytes", METRIC_GAUGE, true, "their size" },
	{ "gem.names_held", "count", METRIC_GAUGE, true, "flinked objects a process's handle keeps" },
	{ "gem.names_unheld", "count", METRIC_GAUGE, true,
	  "flinked objects no handle keeps (kept by the kernel)" },
	{ "gem.names_held_bytes", "bytes", METRIC_GAUGE, true, "size of the held named objects" },
	{ "gem.names_unheld_bytes", "bytes", METRIC_GAUGE, true, "size of the unheld named objects" },
	METRIC_DECL_END,
};
const struct source source_holders = { "holders", collect_holders, holders_metrics };
