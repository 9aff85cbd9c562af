#include <stdlib.h>
#include <string.h>

#include "common/origin-rows.h"

void origin_rows_init(struct origin_rows *r)
{
	memset(r, 0, sizeof(*r));
}

void origin_rows_reset(struct origin_rows *r)
{
	r->n = 0;
	r->taken = false;
	r->ready_s = 0;
}

void origin_rows_free(struct origin_rows *r)
{
	free(r->row);
	origin_rows_init(r);
}

struct origin_row *origin_rows_add(struct origin_rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct origin_row *row = realloc(r->row, cap * sizeof(*row));
		if (!row)
			return NULL;
		r->row = row;
		r->cap = cap;
	}
	struct origin_row *o = &r->row[r->n++];
	memset(o, 0, sizeof(*o));
	return o;
}
