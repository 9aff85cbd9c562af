/* Parsers of the per-buffer rows of gem_names and dma_buf/bufinfo for the
 * holder attribution (sources/holders.c). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "sources/holders.h"

int parse_gem_names_holders(const char *text, struct gem_holders *out)
{
	memset(out, 0, sizeof(*out));
	const char *nl = strchr(text, '\n');
	if (!nl || !strstr(text, "handles") || (size_t)(nl - text) < (size_t)(strstr(text, "handles") - text))
		return -EINVAL;
	for (const char *line = nl + 1; line && *line;) {
		unsigned long long name, size, handles, refs;
		char buf[160];
		const char *next = line_copy(line, buf, sizeof(buf));
		if (sscanf(buf, "%llu %llu %llu %llu", &name, &size, &handles, &refs) == 4) {
			if (handles) {
				out->held++;
				out->held_bytes += size;
			} else {
				out->unheld++;
				out->unheld_bytes += size;
			}
		}
		line = next;
	}
	return 0;
}

int parse_dmabuf_rows(const char *text, struct dmabuf_row *rows, size_t max, size_t *n)
{
	*n = 0;
	/* The header: size flags mode count exp_name ino name, tab-separated. */
	const char *h = strstr(text, "exp_name");
	if (!h)
		return -EINVAL;
	const char *hl = h;
	while (hl > text && hl[-1] != '\n')
		hl--;
	const char *he = strchr(h, '\n');
	if (!he)
		return -EINVAL;
	int col = -1, c = 0;
	for (const char *p = hl; p < he;) {
		while (p < he && isspace((unsigned char)*p))
			p++;
		const char *w = p;
		while (p < he && !isspace((unsigned char)*p))
			p++;
		if (p > w && (size_t)(p - w) == 3 && strncmp(w, "ino", 3) == 0)
			col = c;
		if (p > w)
			c++;
	}
	if (col < 0)
		return -ENOENT;
	for (const char *line = he + 1; line && *line;) {
		char buf[256];
		const char *next = line_copy(line, buf, sizeof(buf));
		/* A buffer's row starts with its size in decimal, no indent. */
		if (isdigit((unsigned char)*buf)) {
			int64_t size = 0, ino = 0;
			int f = 0;
			bool ok = true;
			for (char *save, *tok = strtok_r(buf, " \t", &save); tok && f <= col;
			     tok = strtok_r(NULL, " \t", &save), f++) {
				if (f == 0 && !parse_int64(tok, 0, INT64_MAX, &size))
					ok = false;
				if (f == col && !parse_int64(tok, 0, INT64_MAX, &ino))
					ok = false;
			}
			if (ok && f > col) {
				if (*n < max)
					rows[*n] = (struct dmabuf_row){ (uint64_t)ino, (uint64_t)size };
				(*n)++;
			}
		}
		line = next;
	}
	return 0;
}
