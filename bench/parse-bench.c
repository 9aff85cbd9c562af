/* The parsers of the files that grow with a leak, at two sizes: debugfs
 * dma_buf/bufinfo with 10,000 and 40,000 leaked buffers (no fences, the
 * seed-000 case) and gem_names with as many names. A parser linear in the
 * text takes about 4 times as long for 4 times the rows; a quadratic one
 * (strstr or sscanf over the rest of the text per line) 16 times. Fails
 * (exit 1) when a ratio is above 10 (room for a loaded machine), or a
 * 40,000-row parse above 200 ms.
 * Usage: parse-bench */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/fences-parse.h"
#include "sources/holders.h"
#include "sources/sources.h"

static char *bufinfo(size_t n)
{
	size_t cap = 200 + n * 120, len = 0;
	char *t = malloc(cap);
	len += (size_t)snprintf(t + len, cap - len, "\nDma-buf Objects:\nsize    \tflags   \tmode    \tcount   \t"
				"exp_name\tino     \tname\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "%08zu\t00000002\t00080007\t00000001\tdrm\t%08zu\t<none>\n"
					"\tAttached Devices:\nTotal 0 devices attached\n\n", (size_t)65536, i + 10);
	snprintf(t + len, cap - len, "\nTotal %zu objects, %zu bytes\n", n, n * 65536);
	return t;
}

static char *gem_names(size_t n)
{
	size_t cap = 64 + n * 40, len = 0;
	char *t = malloc(cap);
	len += (size_t)snprintf(t + len, cap - len, "  name     size handles refcount\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "%6zu %8d %7d %8d\n", i + 1, 4096, 0, 1);
	return t;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum parser { P_TOTALS, P_FENCES, P_ROWS, P_NAMES, P_NAMES_HOLDERS, P_COUNT };
static const char *const names[P_COUNT] = {
	"bufinfo totals", "bufinfo fences", "bufinfo rows (holders)", "gem_names", "gem_names holders",
};

/* Best of five, in milliseconds. */
static double run(enum parser p, const char *text, size_t n)
{
	double best = 1e9;
	struct dmabuf_row *rows = calloc(n + 1, sizeof(*rows));
	for (int k = 0; k < 5; k++) {
		double t0 = now();
		uint64_t a, b;
		size_t got;
		struct gem_names_stats g;
		struct gem_holders h;
		int r = p == P_TOTALS ? parse_dmabuf_bufinfo(text, &a, &b)
		      : p == P_FENCES ? parse_bufinfo_fences(text, &a, &b)
		      : p == P_ROWS   ? parse_dmabuf_rows(text, rows, n + 1, &got)
		      : p == P_NAMES  ? parse_gem_names(text, &g)
				      : parse_gem_names_holders(text, &h);
		double ms = (now() - t0) * 1e3;
		if (r) {
			fprintf(stderr, "parse-bench: %s failed on %zu rows: %d\n", names[p], n, r);
			exit(2);
		}
		best = ms < best ? ms : best;
	}
	free(rows);
	return best;
}

int main(void)
{
	const size_t small = 10000, large = 40000;
	char *text[2][2] = { { bufinfo(small), bufinfo(large) }, { gem_names(small), gem_names(large) } };
	int bad = 0;
	printf("%-24s %12s %12s %7s\n", "parser", "10000 rows", "40000 rows", "ratio");
	for (int p = 0; p < P_COUNT; p++) {
		int file = p >= P_NAMES;
		double a = run(p, text[file][0], small), b = run(p, text[file][1], large);
		double ratio = b / (a > 1e-3 ? a : 1e-3);
		bool ok = ratio <= 10 && b <= 200;
		printf("%-24s %9.2f ms %9.2f ms %7.1f%s\n", names[p], a, b, ratio, ok ? "" : "  TOO SLOW");
		bad |= !ok;
	}
	for (int i = 0; i < 4; i++)
		free(text[i / 2][i % 2]);
	return bad;
}
