/* The binder and fence parsers on real-format fixtures (tests/fixtures). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/util.h"
#include "sources/binder-stats.h"
#include "sources/fences-parse.h"
#include "sources/sources.h"
#include "tests/unit/fixture.h"

static void binder_stats_real(void **state)
{
	char *t = fixture("binder-stats-6.1");
	struct binder_stats s;
	assert_int_equal(parse_binder_stats(t, &s), 0);
	assert_int_equal(s.procs, 3);
	assert_int_equal(s.threads, 3);
	assert_int_equal(s.nodes, 3);
	assert_int_equal(s.refs, 3);
	assert_int_equal(s.deaths, 3);
	assert_int_equal(s.transactions, 0);
	assert_int_equal(s.buffers, 1);      /* the app's, one oneway call in flight */
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.max_nodes, 1);
	assert_int_equal(s.max_refs, 1);
	assert_int_equal(s.max_threads, 1);
	assert_int_equal(s.max_buffers, 1);
	free(t);
}

static void binder_stats_rejects_other_text(void **state)
{
	struct binder_stats s;
	assert_int_equal(parse_binder_stats("", &s), -EINVAL);
	assert_int_equal(parse_binder_stats("binder state:\nproc 1\n", &s), -EINVAL);
	/* Only the header: a driver with nothing alive. */
	assert_int_equal(parse_binder_stats("binder stats:\n", &s), 0);
	assert_int_equal(s.procs + s.nodes + s.buffers, 0);
	/* A BC_ count is not a total; a proc block's lines are not totals. */
	assert_int_equal(parse_binder_stats("binder stats:\nBC_TRANSACTION: 5\nnode: active 2 total 7\n"
					    "proc 9\n  nodes: 4\n  buffers: 2\nproc 10\n  buffers: 3\n", &s), 0);
	assert_int_equal(s.nodes, 2);
	assert_int_equal(s.max_nodes, 4);
	assert_int_equal(s.buffers, 5);
	assert_int_equal(s.max_buffers, 3);
}

static void binder_dead_nodes(void **state)
{
	uint64_t dead = 9;
	char *t = fixture("binder-state-6.1");
	assert_int_equal(parse_binder_dead_nodes(t, &dead), 0);
	assert_int_equal(dead, 0);
	free(t);
	t = fixture("binder-state-6.1-dead");
	assert_int_equal(parse_binder_dead_nodes(t, &dead), 0);
	assert_int_equal(dead, 2);
	free(t);
	assert_int_equal(parse_binder_dead_nodes("binder stats:\n", &dead), -EINVAL);
	assert_int_equal(parse_binder_dead_nodes("binder state:\ndead nodes:\n", &dead), 0);
	assert_int_equal(dead, 0);
}

static void bufinfo_fences(void **state)
{
	uint64_t f, u;
	char *t = fixture("bufinfo-6.1-fences");
	assert_int_equal(parse_bufinfo_fences(t, &f, &u), 0);
	assert_int_equal(f, 3);
	assert_int_equal(u, 0);
	free(t);
	t = fixture("bufinfo-6.1-fences-unsignalled");
	assert_int_equal(parse_bufinfo_fences(t, &f, &u), 0);
	assert_int_equal(f, 4);
	assert_int_equal(u, 1);
	free(t);
	t = fixture("bufinfo-6.1-empty");
	assert_int_equal(parse_bufinfo_fences(t, &f, &u), 0);
	assert_int_equal(f, 0);
	free(t);
	assert_int_equal(parse_bufinfo_fences("\tread fence:vgem unbound seq 1 signalled\n", &f, &u), -EINVAL);
}

static void fd_links(void **state)
{
	assert_int_equal(fd_link_kind("/dmabuf:"), FD_DMABUF);
	assert_int_equal(fd_link_kind("/dmabuf:scanout"), FD_DMABUF);
	assert_int_equal(fd_link_kind("anon_inode:sync_file"), FD_SYNC_FILE);
	assert_int_equal(fd_link_kind("anon_inode:sync_file2"), FD_OTHER);
	assert_int_equal(fd_link_kind("/dev/binder"), FD_OTHER);
	assert_int_equal(fd_link_kind(""), FD_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(binder_stats_real),
		cmocka_unit_test(binder_stats_rejects_other_text),
		cmocka_unit_test(binder_dead_nodes),
		cmocka_unit_test(bufinfo_fences),
		cmocka_unit_test(fd_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
