/* The daemon's own RSS and open fds: it runs for weeks, so its own
 * footprint is a trend like any other. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <malloc.h>
#include <sqlite3.h>

#include "sources/sources.h"

static int count_fds(const char *dir, uint64_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			(*n)++;
	closedir(d);
	if (*n > 0)
		(*n)--; /* the fd opendir itself holds */
	return 0;
}

static int collect_self(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			size_t whylen)
{
	char path[512];
	char *text = source_read_under(ctx->procfs, "self/status", path, sizeof(path), why, whylen);
	if (!text)
		return -errno;
	uint64_t rss = 0, fds = 0;
	int r = parse_status_rss_kb(text, &rss);
	free(text);
	if (r) {
		snprintf(why, whylen, "%s: no VmRSS line", path);
		return r;
	}
	snprintf(path, sizeof(path), "%s/self/fd", ctx->procfs);
	if ((r = count_fds(path, &fds)) != 0) {
		snprintf(why, whylen, "%s: cannot list", path);
		return r;
	}
	batch_put(b, "daemon.rss_kb", (double)rss, "kB");
	/* SQLite's share of the RSS (its page cache is bounded, and fills
	 * slowly), so the rest can be watched for growth on its own. */
	batch_put(b, "daemon.sqlite_kb", (double)(sqlite3_memory_used() / 1024), "kB");
	/* Bytes the daemon has allocated and not freed: growth here is a
	 * leak, growth of RSS alone may be fragmentation. */
	size_t heap = mallinfo2().uordblks;
	batch_put(b, "daemon.heap_kb", (double)(heap / 1024), "kB");
	/* The judgement's points of the run: they grow with its rounds up to
	 * the bound of its base (db/TRENDS.md), by design. */
	batch_put(b, "daemon.analysis_kb", (double)(ctx->analysis_bytes / 1024), "kB");
	/* The heap outside SQLite's bounded cache and the judgement's points,
	 * which must stay flat. */
	int64_t rest = (int64_t)heap - sqlite3_memory_used() - (int64_t)ctx->analysis_bytes;
	batch_put(b, "daemon.heap_outside_sqlite_kb", (double)(rest > 0 ? rest / 1024 : 0), "kB");
	return batch_put(b, "daemon.fds", (double)fds, "count");
}

static const struct metric_decl self_metrics[] = {
	{ "daemon.rss_kb", "kB", METRIC_GAUGE, false, "gemsoakd's RSS (its parts are judged)" },
	{ "daemon.sqlite_kb", "kB", METRIC_GAUGE, true, "SQLite's memory, judged against its bound" },
	{ "daemon.heap_kb", "kB", METRIC_GAUGE, false, "gemsoakd's heap in use (its parts are judged)" },
	{ "daemon.analysis_kb", "kB", METRIC_GAUGE, false,
	  "the run's points the judgement keeps: grow to their base's bound" },
	{ "daemon.heap_outside_sqlite_kb", "kB", METRIC_GAUGE, true,
	  "the heap without SQLite's and the judgement's: must stay flat" },
	{ "daemon.fds", "count", METRIC_GAUGE, true, "gemsoakd's open fds" },
	{ "daemon.samples_dropped", "count", METRIC_COUNTER, false,
	  "rounds the store could not take, dropped (put by the sampler)" },
	METRIC_DECL_END,
};
const struct source source_self = { "self", collect_self, self_metrics };
