/* The sampler's bounded backlog: order, bound, drop count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/backlog.h"

static void push_one(struct backlog *bl, double t, double v)
{
	struct metric_batch b;
	batch_init(&b);
	batch_put(&b, "m", v, "count");
	assert_int_equal(backlog_push(bl, t, (uint64_t)t, &b), 0);
	batch_free(&b);
}

static void keeps_order_and_bound(void **state)
{
	struct backlog bl;
	assert_int_equal(backlog_init(&bl, 3), 0);
	assert_null(backlog_peek(&bl));
	for (int i = 1; i <= 5; i++)
		push_one(&bl, i, 10 * i);
	/* Two rounds did not fit: the oldest went, and they are counted. */
	assert_int_equal(bl.dropped, 2);
	assert_int_equal(bl.len, 3);
	for (int i = 3; i <= 5; i++) {
		const struct backlog_entry *e = backlog_peek(&bl);
		assert_non_null(e);
		assert_float_equal(e->t, i, 0);
		assert_int_equal(e->batch.n, 1);
		assert_float_equal(e->batch.v[0].value, 10 * i, 0);
		backlog_pop(&bl);
	}
	assert_null(backlog_peek(&bl));
	push_one(&bl, 9, 90); /* reuses a slot */
	assert_float_equal(backlog_peek(&bl)->batch.v[0].value, 90, 0);
	backlog_free(&bl);
}

/* A daemon that runs for weeks must hold one batch when the store keeps
 * up, whatever the size of the ring, and give back what an outage took. */
static void memory_stays_bounded(void **state)
{
	struct backlog bl;
	assert_int_equal(backlog_init(&bl, 8), 0);
	for (int i = 0; i < 100; i++) { /* healthy: push, written, pop */
		push_one(&bl, i, i);
		backlog_pop(&bl);
	}
	for (size_t i = 1; i < bl.cap; i++)
		assert_int_equal(bl.ring[i].batch.cap, 0);
	for (int i = 0; i < 5; i++) /* an outage of five rounds */
		push_one(&bl, i, i);
	for (int i = 0; i < 5; i++)
		backlog_pop(&bl);
	for (size_t i = 1; i < bl.cap; i++)
		assert_int_equal(bl.ring[i].batch.cap, 0);
	assert_null(backlog_peek(&bl));
	backlog_free(&bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_order_and_bound),
		cmocka_unit_test(memory_stays_bounded),
	};
	return cmocka_run_group_tests_name("backlog", tests, NULL, NULL);
}
