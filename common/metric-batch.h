/* A metric batch: one sampling round's named values, as the sources
 * (sources/) produce them and the store (db/store-write.c) writes them. Its own
 * header so the store depends on the values, not on the sources. */
#ifndef GS_METRIC_BATCH_H
#define GS_METRIC_BATCH_H

#include <stddef.h>

#define METRIC_NAME_MAX 96

struct metric_value {
	char name[METRIC_NAME_MAX];
	double value;
	const char *unit;   /* static string: "count", "bytes", "kB", "cycles" */
};

struct metric_batch {
	struct metric_value *v;
	size_t n, cap;
};

/* An empty batch that owns no memory. */
void batch_init(struct metric_batch *b);
/* Forget the values, keep the memory for the next round. */
void batch_reset(struct metric_batch *b);
/* Release the memory; the batch is empty again. */
void batch_free(struct metric_batch *b);
/* Append one value. Returns -ENOMEM on allocation failure, -ENAMETOOLONG on a long name. */
int batch_put(struct metric_batch *b, const char *name, double value, const char *unit);

#endif
