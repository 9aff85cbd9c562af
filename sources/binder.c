/* Binder's own counters (debugfs binder/stats and binder/state, present
 * once binder_linux is loaded): the live processes, threads, nodes, refs,
 * death notices, transactions and buffers of the whole driver, and the
 * dead nodes references still keep. A binder node or ref that outlives
 * its process, or a buffer never freed, grows here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/binder-stats.h"
#include "sources/sources.h"

static void raise_to(uint64_t *max, uint64_t v)
{
	if (v > *max)
		*max = v;
}

int parse_binder_stats(const char *text, struct binder_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(text, "binder stats:\n", 14) != 0)
		return -EINVAL;
	struct { const char *name; uint64_t *v; } totals[] = {
		{ "proc", &out->procs }, { "thread", &out->threads }, { "node", &out->nodes },
		{ "ref", &out->refs }, { "death", &out->deaths }, { "transaction", &out->transactions },
	};
	bool in_proc = false;
	char l[160];
	for (const char *next = text; next && *next;) {
		next = line_copy(next, l, sizeof(l));
		char name[32];
		long long a, t;
		unsigned long long n;
		if (strncmp(l, "proc ", 5) == 0) {
			in_proc = true;
			continue;
		}
		if (!in_proc) {
			/* "node: active 3 total 9"; BC_/BR_ counts have no "active" */
			if (sscanf(l, "%31[a-z_]: active %lld total %lld", name, &a, &t) != 3)
				continue;
			for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
				if (strcmp(name, totals[i].name) == 0)
					*totals[i].v = a > 0 ? (uint64_t)a : 0;
			continue;
		}
		if (sscanf(l, "  threads: %llu", &n) == 1) {
			raise_to(&out->max_threads, n);
		} else if (sscanf(l, "  nodes: %llu", &n) == 1) {
			raise_to(&out->max_nodes, n);
		} else if (sscanf(l, "  refs: %llu", &n) == 1) {
			raise_to(&out->max_refs, n);
		} else if (sscanf(l, "  buffers: %llu", &n) == 1) {
			out->buffers += n;
			raise_to(&out->max_buffers, n);
		} else if (sscanf(l, "  pending transactions: %llu", &n) == 1) {
			out->pending += n;
		}
	}
	return 0;
}

int parse_binder_dead_nodes(const char *text, uint64_t *dead)
{
	*dead = 0;
	if (strncmp(text, "binder state:\n", 14) != 0)
		return -EINVAL;
	const char *l = strstr(text, "\ndead nodes:\n");
	if (!l)
		return 0;
	for (l = strchr(l + 1, '\n') + 1; *l && strncmp(l, "proc ", 5) != 0;) {
		if (strncmp(l, "  node ", 7) == 0)
			(*dead)++;
		const char *nl = strchr(l, '\n');
		if (!nl)
			break;
		l = nl + 1;
	}
	return 0;
}

static int collect_binder(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	char path[512];
	char *text = source_read_under(ctx->debugfs, "binder/stats", path, sizeof(path), why, whylen);
	if (!text && errno == ENOENT)
		return 0; /* binder_linux is not loaded: nothing of binder's to count */
	if (!text)
		return -errno;
	struct binder_stats s;
	int r = parse_binder_stats(text, &s);
	free(text);
	if (r) {
		snprintf(why, whylen, "%s: does not start with \"binder stats:\"", path);
		return r;
	}
	uint64_t dead = 0;
	text = source_read_under(ctx->debugfs, "binder/state", path, sizeof(path), why, whylen);
	if (!text)
		return -errno;
	r = parse_binder_dead_nodes(text, &dead);
	free(text);
	if (r) {
		snprintf(why, whylen, "%s: does not start with \"binder state:\"", path);
		return r;
	}
	const struct { const char *name; uint64_t v; } m[] = {
		{ "binder.procs", s.procs }, { "binder.threads", s.threads }, { "binder.nodes", s.nodes },
		{ "binder.refs", s.refs }, { "binder.deaths", s.deaths }, { "binder.transactions", s.transactions },
		{ "binder.buffers", s.buffers }, { "binder.pending_transactions", s.pending },
		{ "binder.proc_max_threads", s.max_threads }, { "binder.proc_max_nodes", s.max_nodes },
		{ "binder.proc_max_refs", s.max_refs }, { "binder.proc_max_buffers", s.max_buffers },
		{ "binder.dead_nodes", dead },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if ((r = batch_put(b, m[i].name, (double)m[i].v, "count")) != 0)
			return r;
	return 0;
}

static const struct metric_decl binder_metrics[] = {
	{ "binder.procs", "count", METRIC_GAUGE, true, "processes with binder open (binder/stats, active)" },
	{ "binder.threads", "count", METRIC_GAUGE, true, "binder threads alive" },
	{ "binder.nodes", "count", METRIC_GAUGE, true, "binder nodes alive" },
	{ "binder.refs", "count", METRIC_GAUGE, true, "references to binder nodes alive" },
	{ "binder.deaths", "count", METRIC_GAUGE, true, "death notifications registered" },
	{ "binder.transactions", "count", METRIC_GAUGE, true, "transactions alive" },
	{ "binder.buffers", "count", METRIC_GAUGE, true,
	  "transaction buffers allocated, summed over processes" },
	{ "binder.pending_transactions", "count", METRIC_GAUGE, true,
	  "transactions queued and not read, summed over processes" },
	{ "binder.proc_max_threads", "count", METRIC_GAUGE, true, "the most threads of one process" },
	{ "binder.proc_max_nodes", "count", METRIC_GAUGE, true, "the most nodes of one process" },
	{ "binder.proc_max_refs", "count", METRIC_GAUGE, true, "the most refs of one process" },
	{ "binder.proc_max_buffers", "count", METRIC_GAUGE, true, "the most buffers of one process" },
	{ "binder.dead_nodes", "count", METRIC_GAUGE, true,
	  "nodes whose process is gone that references still hold (binder/state)" },
	METRIC_DECL_END,
};
const struct source source_binder = { "binder", collect_binder, binder_metrics };
