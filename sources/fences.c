/* Fences and the fds that hold sharing objects, as the kernel shows
 * them: the fences in the dma-bufs' reservation objects (debugfs
 * dma_buf/bufinfo, which lists each with its state), and the dma-buf and
 * sync_file fds open in every process (/proc/PID/fd links "/dmabuf:..."
 * and "anon_inode:sync_file", by the walk of sources/proc-walk.c). A fence never signalled, a sync_file or a
 * received dma-buf fd never closed grows here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "sources/fences-parse.h"
#include "sources/proc-walk.h"
#include "sources/sources.h"

int parse_bufinfo_fences(const char *text, uint64_t *fences, uint64_t *unsignalled)
{
	uint64_t o, b;
	if (parse_dmabuf_bufinfo(text, &o, &b))
		return -EINVAL;
	*fences = *unsignalled = 0;
	/* Each search stays within its line: strstr over the rest of the
	 * text made this quadratic, minutes of CPU per round with 40,000
	 * leaked dma-bufs and no fence to find. */
	for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l != '\t')
			continue;
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		const char *f = memmem(l, len, " fence:", 7);
		if (!f)
			continue;
		(*fences)++;
		if (mem_contains(f, len - (size_t)(f - l), " unsignalled"))
			(*unsignalled)++;
	}
	return 0;
}

enum fd_kind fd_link_kind(const char *link)
{
	if (strncmp(link, "/dmabuf:", 8) == 0 || strcmp(link, "anon_inode:dmabuf") == 0)
		return FD_DMABUF;
	if (strcmp(link, "anon_inode:sync_file") == 0)
		return FD_SYNC_FILE;
	return FD_OTHER;
}

static void count(const struct walk_proc *p, const struct walk_fd *f, void *arg)
{
	(void)p, (void)f;
	(*(uint64_t *)arg)++;
}

/* The dma-buf and sync_file fds of every process, as the round's walk
 * (sources/proc-walk.c) last saw each. */
static int count_fds(const struct source_ctx *ctx, uint64_t *dmabufs, uint64_t *syncs)
{
	*dmabufs = *syncs = 0;
	int r = proc_walk_each_fd(ctx, FD_DMABUF, count, dmabufs);
	return r ? r : proc_walk_each_fd(ctx, FD_SYNC_FILE, count, syncs);
}

static int collect_fences(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	char path[512];
	char *text = source_read_under(ctx->debugfs, "dma_buf/bufinfo", path, sizeof(path), why, whylen);
	if (!text && errno == ENOENT)
		return 0; /* the dma_buf source says so */
	if (!text)
		return -errno;
	uint64_t fences, unsignalled;
	int r = parse_bufinfo_fences(text, &fences, &unsignalled);
	free(text);
	if (r) {
		snprintf(why, whylen, "%s: no \"Total N objects, M bytes\" line", path);
		return r;
	}
	uint64_t dmabufs = 0, syncs = 0;
	if ((r = count_fds(ctx, &dmabufs, &syncs)) != 0) {
		snprintf(why, whylen, "%s: %s", ctx->procfs, strerror(-r));
		return r;
	}
	batch_put(b, "dmabuf.fences", (double)fences, "count");
	batch_put(b, "dmabuf.fences_unsignalled", (double)unsignalled, "count");
	batch_put(b, "fds.dmabuf", (double)dmabufs, "count");
	return batch_put(b, "fds.sync_file", (double)syncs, "count");
}

static const struct metric_decl fences_metrics[] = {
	{ "dmabuf.fences", "count", METRIC_GAUGE, true, "fences on dma-bufs (dma_buf/bufinfo)" },
	{ "dmabuf.fences_unsignalled", "count", METRIC_GAUGE, true, "of those, not signalled" },
	{ "fds.dmabuf", "count", METRIC_GAUGE, true, "dma-buf fds held by processes (/proc/PID/fd)" },
	{ "fds.sync_file", "count", METRIC_GAUGE, true, "sync_file fds held by processes" },
	METRIC_DECL_END,
};
const struct source source_fences = { "fences", collect_fences, fences_metrics };
