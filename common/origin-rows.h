/* One round's object origins: the live GEM objects and dma-bufs grouped
 * by kind, workload, process name and creation stack, as the origins
 * source (sources/origins.c) makes them and the store (db/origins.c)
 * writes them. Its own header, as metric-batch.h, so the store depends
 * on the rows and not on the source. */
#ifndef GS_ORIGIN_ROWS_H
#define GS_ORIGIN_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORIGIN_WORKLOAD_MAX 64
#define ORIGIN_COMM_MAX 17     /* the kernel's 16 bytes of a task name, and a NUL */
#define ORIGIN_STACK_MAX 2048  /* symbolized frames, one a line */

struct origin_row {
	const char *kind;      /* "dma-buf" or "gem" (static) */
	char workload[ORIGIN_WORKLOAD_MAX];
	char comm[ORIGIN_COMM_MAX];
	char stack[ORIGIN_STACK_MAX];
	uint64_t alive, alive_bytes;
};

struct origin_rows {
	struct origin_row *row;
	size_t n, cap;
	bool taken;            /* the source read the kernel this round: the rows are the whole state */
	uint64_t untraced;     /* objects not traced since the start: the bound was reached */
	uint64_t bound;        /* the most objects traced at once */
	double ready_s;        /* > 0 in the round the tracing began: the seconds its load took */
};

/* An empty set that owns no memory. */
void origin_rows_init(struct origin_rows *r);
/* Forget the rows (taken false, ready_s 0), keep the memory and untraced. */
void origin_rows_reset(struct origin_rows *r);
void origin_rows_free(struct origin_rows *r);
/* A new zeroed row at the end, or NULL when memory runs out. */
struct origin_row *origin_rows_add(struct origin_rows *r);

#endif
