/* debugfs dri/N/clients: one row per open DRM file after a header, in
 * every era: "command pid dev master a uid magic" (3.14+), "... tgid ..."
 * (6.4+), and the older "a dev pid uid magic ioctls". A growing count
 * means DRM files (and all they hold) outlive their processes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sources/sources.h"

int parse_drm_clients(const char *text, uint64_t *clients)
{
	*clients = 0;
	bool header = false;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		bool blank = strspn(line, " \t") >= len;
		if (!blank) {
			if (!header) {
				/* The header names the process column in every
				 * format: pid, or tgid since 6.4. */
				if (!mem_contains(line, len, "pid") && !mem_contains(line, len, "tgid"))
					return -EINVAL;
				header = true;
			} else {
				(*clients)++;
			}
		}
		line += len + (end ? 1 : 0);
	}
	return header ? 0 : -EINVAL;
}

static int put_clients(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	uint64_t n;
	int r = parse_drm_clients(text, &n);
	return r ? r : batch_put(b, "drm.clients", (double)n, "count");
}

static const struct text_source clients = {
	.file = "clients", .dri = true,
	.format = "unrecognised format", .put = put_clients,
};

static int collect_clients(const struct source_ctx *ctx, struct metric_batch *b, char *why,
			   size_t whylen)
{
	return source_collect_text(ctx, &clients, b, why, whylen);
}

const struct source source_drm_clients = { "clients", collect_clients };
