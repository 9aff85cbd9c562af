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

/* Split line (len bytes) into at most max whitespace-separated tokens:
 * their starts in tok, their lengths in tlen. Returns the count. */
static size_t tokens(const char *line, size_t len, const char **tok, size_t *tlen, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < max;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		tok[n] = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		tlen[n] = (size_t)(line + i - tok[n]);
		n++;
	}
	return n;
}

int parse_drm_client_pids(const char *text, int *pids, size_t max, size_t *n)
{
	*n = 0;
	size_t from_right = 0;
	bool header = false;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *tok[16];
		size_t tlen[16];
		size_t k = tokens(line, len, tok, tlen, 16);
		line += len + (end ? 1 : 0);
		if (k == 0)
			continue;
		if (!header) {
			size_t i = 0;
			while (i < k && !(tlen[i] == 3 && strncmp(tok[i], "pid", 3) == 0) &&
			       !(tlen[i] == 4 && strncmp(tok[i], "tgid", 4) == 0))
				i++;
			if (i == k)
				return -EINVAL;
			from_right = k - 1 - i; /* the command before it may hold spaces */
			header = true;
			continue;
		}
		char num[16];
		int64_t pid;
		if (k <= from_right || tlen[k - 1 - from_right] >= sizeof(num))
			continue;
		snprintf(num, sizeof(num), "%.*s", (int)tlen[k - 1 - from_right], tok[k - 1 - from_right]);
		if (parse_int64(num, 1, INT32_MAX, &pid) && *n < max)
			pids[(*n)++] = (int)pid;
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

static const struct metric_decl drm_clients_metrics[] = {
	{ "drm.clients", "count", METRIC_GAUGE, true, "open DRM files of the device (dri/N/clients)" },
	METRIC_DECL_END,
};
const struct source source_drm_clients = { "clients", collect_clients, drm_clients_metrics };
