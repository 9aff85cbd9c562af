#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/metric-batch.h"

void batch_init(struct metric_batch *b)
{
	b->v = NULL;
	b->n = b->cap = 0;
}

void batch_reset(struct metric_batch *b)
{
	b->n = 0;
}

void batch_free(struct metric_batch *b)
{
	free(b->v);
	batch_init(b);
}

int batch_put(struct metric_batch *b, const char *name, double value, const char *unit)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct metric_value *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	struct metric_value *m = &b->v[b->n];
	int len = snprintf(m->name, sizeof(m->name), "%s", name);
	if (len < 0 || (size_t)len >= sizeof(m->name))
		return -ENAMETOOLONG;
	m->value = value;
	m->unit = unit;
	b->n++;
	return 0;
}
