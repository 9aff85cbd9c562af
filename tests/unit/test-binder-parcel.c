/* binder/parcel.c: parcels written with binder_txn_* read back with
 * binder_in_*, as the driver lays them out (the driver would translate
 * handles and fds; their places in the parcel are the same). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "binder/parcel.h"

/* What a receiver would see of parcel t. */
static struct binder_in as_received(const struct binder_txn *t)
{
	return (struct binder_in){ .data = t->data, .len = t->len, .offs = t->offs, .nobjs = t->nobjs };
}

static void data_padded_and_bounded(void **state)
{
	struct binder_txn t;
	binder_txn_init(&t);
	assert_int_equal(binder_txn_put(&t, "abc", 3), 0);
	assert_int_equal(t.len, 8);
	assert_memory_equal(t.data, "abc\0\0\0\0\0", 8);
	uint8_t fill[BINDER_TXN_DATA - 8] = { 0 };
	assert_int_equal(binder_txn_put(&t, fill, sizeof(fill)), 0);
	assert_int_equal(binder_txn_put(&t, "x", 1), -ENOSPC);
	assert_int_equal(t.len, BINDER_TXN_DATA);

	struct binder_in in = as_received(&t);
	assert_non_null(binder_in_data(&in, 0, 3));
	assert_memory_equal(binder_in_data(&in, 0, 3), "abc", 3);
	assert_non_null(binder_in_data(&in, BINDER_TXN_DATA - 1, 1));
	assert_null(binder_in_data(&in, BINDER_TXN_DATA - 1, 2));
}

static void objects_read_back(void **state)
{
	struct binder_txn t;
	binder_txn_init(&t);
	uint32_t code = 7;
	assert_int_equal(binder_txn_put(&t, &code, sizeof(code)), 0);
	assert_int_equal(binder_txn_put_fd(&t, 11), 0);
	assert_int_equal(binder_txn_put_handle(&t, 42), 0);
	assert_int_equal(binder_txn_put_fd(&t, 12), 0);
	assert_int_equal(t.nobjs, 3);
	assert_int_equal(t.offs[0], 8);

	struct binder_in in = as_received(&t);
	uint32_t h = 0;
	assert_int_equal(binder_in_handle(&in, &h), 0);
	assert_int_equal(h, 42);
	assert_int_equal(binder_in_fd(&in, 0), 11);
	assert_int_equal(binder_in_fd(&in, 1), 12);
	assert_int_equal(binder_in_fd(&in, 2), -EPROTO);
	int fds[2];
	assert_int_equal(binder_in_fd_array(&in, fds, 2), -EPROTO);
}

static void object_table_full(void **state)
{
	struct binder_txn t;
	binder_txn_init(&t);
	for (int i = 0; i < BINDER_TXN_OBJS; i++)
		assert_int_equal(binder_txn_put_handle(&t, (uint32_t)i), 0);
	assert_int_equal(binder_txn_put_handle(&t, 99), -ENOSPC);
	assert_int_equal(t.nobjs, BINDER_TXN_OBJS);
}

static void fd_array_once_and_bounded(void **state)
{
	struct binder_txn t;
	binder_txn_init(&t);
	int many[BINDER_TXN_FDA_MAX + 1] = { 0 };
	assert_int_equal(binder_txn_put_fd_array(&t, many, BINDER_TXN_FDA_MAX + 1), -EINVAL);
	assert_int_equal(binder_txn_put_fd_array(&t, many, -1), -EINVAL);
	int fds[2] = { 5, 6 };
	assert_int_equal(binder_txn_put_fd_array(&t, fds, 2), 0);
	assert_int_equal(binder_txn_put_fd_array(&t, fds, 2), -EINVAL);
	assert_true(t.has_handle);
	assert_int_equal(t.handle.nfds, 2);

	/* The fd array's object points into the native handle, past its
	 * three-int header. */
	struct binder_in in = as_received(&t);
	int got[BINDER_TXN_FDA_MAX] = { 0 };
	assert_int_equal(binder_in_fd_array(&in, got, BINDER_TXN_FDA_MAX), 2);
	assert_int_equal(got[0], 5);
	assert_int_equal(got[1], 6);
	assert_int_equal(binder_in_fd_array(&in, got, 1), -EPROTO);
	assert_int_equal(binder_in_fd(&in, 0), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_padded_and_bounded),
		cmocka_unit_test(objects_read_back),
		cmocka_unit_test(object_table_full),
		cmocka_unit_test(fd_array_once_and_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
