/* Parsers of the holder source (sources/holders-parse.c): the per-buffer
 * rows of dma_buf/bufinfo with their inodes, and gem_names split by
 * handle count. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sources/holders.h"

/* 6.1's dma_buf_debug_show: two buffers, one attached, then the total. */
static const char bufinfo_61[] =
	"\nDma-buf Objects:\n"
	"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
	"00004096\t00000002\t00080007\t00000003\tvgem\t00000031\t<none>\n"
	"\tAttached Devices:\n"
	"\ti915\n"
	"Total 1 devices attached\n\n"
	"00065536\t00000002\t00080007\t00000001\ti915\t00000029\tgralloc\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n\n"
	"\nTotal 2 objects, 69632 bytes\n";

/* 4.x: no ino column, so no matching by inode. */
static const char bufinfo_4x[] =
	"\nDma-buf Objects:\n"
	"size\tflags\tmode\tcount\texp_name\n"
	"00004096\t00000002\t00000005\t00000001\ti915\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n"
	"\nTotal 1 objects, 4096 bytes\n";

static void bufinfo_rows_with_inodes(void **state)
{
	struct dmabuf_row rows[4];
	size_t n;
	assert_int_equal(parse_dmabuf_rows(bufinfo_61, rows, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].ino, 31);
	assert_int_equal(rows[0].size, 4096);
	assert_int_equal(rows[1].ino, 29);
	assert_int_equal(rows[1].size, 65536);
	/* More rows than room: all counted, the first kept. */
	assert_int_equal(parse_dmabuf_rows(bufinfo_61, rows, 1, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].ino, 31);
}

static void bufinfo_without_inodes(void **state)
{
	struct dmabuf_row rows[4];
	size_t n;
	assert_int_equal(parse_dmabuf_rows(bufinfo_4x, rows, 4, &n), -ENOENT);
	assert_int_equal(parse_dmabuf_rows("garbage\n", rows, 4, &n), -EINVAL);
}

static void gem_names_by_handles(void **state)
{
	static const char names[] =
		"  name     size handles refcount\n"
		"     1     4096       1        2\n"
		"     2     8192       0        1\n"
		"     3     4096       2        3\n";
	struct gem_holders g;
	assert_int_equal(parse_gem_names_holders(names, &g), 0);
	assert_int_equal(g.held, 2);
	assert_int_equal(g.held_bytes, 8192);
	assert_int_equal(g.unheld, 1);
	assert_int_equal(g.unheld_bytes, 8192);
	assert_int_equal(parse_gem_names_holders("  name size\n 1 2\n", &g), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bufinfo_rows_with_inodes),
		cmocka_unit_test(bufinfo_without_inodes),
		cmocka_unit_test(gem_names_by_handles),
	};
	return cmocka_run_group_tests_name("holders", tests, NULL, NULL);
}
