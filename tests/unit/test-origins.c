/* The object origins: the store writes a group's row only when its
 * count changed, a 0 when it is gone, each stack once, and a continued
 * run goes on from what it stored (db/origins.c); the frames are named
 * from kallsyms lines (sources/kallsyms.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/origin-rows.h"
#include "db/origins.h"
#include "db/store.h"
#include "sources/kallsyms.h"
#include "tests/unit/tmp-db.h"

static struct store *open_store(int64_t *run_id)
{
	struct store *st;
	char err[256];
	static const struct run_info run = { .hostname = "h", .kernel_release = "6.1.0-test" };
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	assert_int_equal(store_begin_run(st, 1000, &run, run_id), 0);
	return st;
}

static void put(struct origin_rows *r, const char *kind, const char *workload, const char *stack,
		uint64_t alive)
{
	struct origin_row *o = origin_rows_add(r);
	assert_non_null(o);
	o->kind = kind;
	snprintf(o->workload, sizeof(o->workload), "%s", workload);
	snprintf(o->comm, sizeof(o->comm), "gs:%s", workload);
	snprintf(o->stack, sizeof(o->stack), "%s", stack);
	o->alive = alive;
	o->alive_bytes = alive * 4096;
}

static int count(struct store *st, const char *sql)
{
	return db_int(store_db(st), sql);
}

#define EXPORT "dma_buf_export+0x1\ndrm_gem_prime_handle_to_fd+0x25f\ndrm_ioctl+0x22f"
#define CREATE "drm_gem_object_init+0x1\ndrm_gem_shmem_dumb_create+0x51\ndrm_ioctl+0x22f"

static void rows_only_when_something_changed(void **state)
{
	int64_t run;
	struct store *st = open_store(&run);
	struct origin_rows r;
	origin_rows_init(&r);
	/* A leak from the export stack grows; the canary's group stays. */
	for (int round = 0; round < 5; round++) {
		origin_rows_reset(&r);
		put(&r, "dma-buf", "prime-share", EXPORT, 10 + 10 * (uint64_t)round);
		put(&r, "gem", "canary", CREATE, 3);
		assert_int_equal(store_origins(st, run, 1001 + round, &r), 0);
	}
	int leak = count(st, "select count(*) from object_origins where kind = 'dma-buf'");
	int flat = count(st, "select count(*) from object_origins where kind = 'gem'");
	print_message("5 rounds: %d rows of the growing group, %d of the flat one\n", leak, flat);
	assert_int_equal(leak, 5);
	assert_int_equal(flat, 1);
	assert_int_equal(count(st, "select count(*) from origin_stacks"), 2);
	assert_int_equal(count(st, "select alive from origins where kind = 'dma-buf'"), 50);

	/* The canary's objects go: one row of 0; then nothing more for it. */
	for (int round = 0; round < 2; round++) {
		origin_rows_reset(&r);
		put(&r, "dma-buf", "prime-share", EXPORT, 50);
		assert_int_equal(store_origins(st, run, 1010 + round, &r), 0);
	}
	assert_int_equal(count(st, "select count(*) from object_origins where kind = 'gem'"), 2);
	assert_int_equal(count(st, "select alive from origins where kind = 'gem'"), 0);
	assert_int_equal(count(st, "select count(*) from object_origins where kind = 'dma-buf'"), 5);
	origin_rows_free(&r);
	store_close(st);
}

/* A restarted daemon continues the run: its first round compares with
 * the stored state (no row for what did not change). */
static void a_continued_run_goes_on_from_what_it_stored(void **state)
{
	int64_t run;
	struct store *st = open_store(&run);
	struct origin_rows r;
	origin_rows_init(&r);
	put(&r, "dma-buf", "prime-share", EXPORT, 7);
	assert_int_equal(store_origins(st, run, 1001, &r), 0);
	store_close(st);

	char err[256];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	assert_int_equal(store_origins(st, run, 1002, &r), 0);
	assert_int_equal(count(st, "select count(*) from object_origins"), 1);
	origin_rows_reset(&r);
	assert_int_equal(store_origins(st, run, 1003, &r), 0);
	assert_int_equal(count(st, "select count(*) from object_origins"), 2);
	assert_int_equal(count(st, "select alive from origins"), 0);
	origin_rows_free(&r);
	store_close(st);
}

/* store_origins_since's row: "workload base alive;" appended to arg. */
static int growth_row(void *arg, const struct origin_growth *g)
{
	char *out = arg;
	size_t at = strlen(out);
	snprintf(out + at, 256 - at, "%s %.0f %.0f;", g->workload, g->base, g->alive);
	return 0;
}

/* The growth since a baseline: the origin's last row by then, or the
 * run's first row when the tracing began after it (a pool alive from the
 * first traced round is no growth), 0 for one with no row by then, every
 * base 0 without a baseline. */
static void baseline_is_when_the_tracing_began_if_later(void **state)
{
	int64_t run;
	struct store *st = open_store(&run);
	struct origin_rows r;
	origin_rows_init(&r);
	/* Traced from 1010 (the run began at 1000): prime-share's pool of 3
	 * throughout, the canary's kept objects 5, 20, 40; flink-share's
	 * from 1020 on. */
	static const uint64_t canary[] = { 5, 20, 40 };
	for (int round = 0; round < 3; round++) {
		origin_rows_reset(&r);
		put(&r, "gem", "prime-share", CREATE, 3);
		put(&r, "gem", "canary", CREATE, canary[round]);
		if (round > 0)
			put(&r, "gem", "flink-share", CREATE, 2);
		assert_int_equal(store_origins(st, run, 1010 + 10 * round, &r), 0);
	}
	origin_rows_free(&r);
	static const struct {
		double since;
		const char *expect;
	} cases[] = {
		{ 0, "canary 5 40;flink-share 0 2;prime-share 3 3;" },
		{ 15, "canary 5 40;flink-share 0 2;prime-share 3 3;" },
		{ 20, "canary 20 40;flink-share 2 2;prime-share 3 3;" },
		{ NAN, "canary 0 40;flink-share 0 2;prime-share 0 3;" },
	};
	sqlite3 *db = store_db(st);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[256] = "", err[128];
		assert_int_equal(store_origins_since(db, run, "gem", cases[i].since, growth_row, got, err, sizeof(err)), 0);
		/* in the view's order: by workload for the check */
		static const char *const by_name[] = { "canary", "flink-share", "prime-share" };
		char sorted[256] = "";
		for (size_t k = 0; k < 3; k++) {
			const char *p = strstr(got, by_name[k]);
			assert_non_null(p);
			strncat(sorted, p, strcspn(p, ";") + 1);
		}
		print_message("since %g: %s\n", cases[i].since, sorted);
		assert_string_equal(sorted, cases[i].expect);
	}
	char none[256] = "", err[128];
	assert_int_equal(store_origins_since(db, run, "dma-buf", 0, growth_row, none, err, sizeof(err)), 0);
	assert_string_equal(none, "");
	store_close(st);
}

static void frames_are_named_by_the_nearest_text_symbol(void **state)
{
	struct ksym_want w[3] = { { .addr = 0xffffffff81a00010 }, { .addr = 0xffffffffc0402345 },
				  { .addr = 0xffffffff80000000 } };
	static const char *const lines[] = {
		"ffffffff81a00000 T dma_buf_export\n",
		"ffffffff81a00008 d some_data\n",         /* not text */
		"ffffffffc0402000 t drm_gem_prime_handle_to_fd\t[drm]\n",
		"ffffffffc0401000 T drm_ioctl\t[drm]\n",  /* lower: not the nearest */
		"0000000000000000 T hidden\n",            /* kptr_restrict: no address */
		"garbage\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ksyms_line(lines[i], w, 3);
	char buf[160];
	ksym_format(&w[0], buf, sizeof(buf));
	assert_string_equal(buf, "dma_buf_export+0x10");
	ksym_format(&w[1], buf, sizeof(buf));
	assert_string_equal(buf, "drm_gem_prime_handle_to_fd+0x345");
	ksym_format(&w[2], buf, sizeof(buf));
	assert_string_equal(buf, "0xffffffff80000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(rows_only_when_something_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_continued_run_goes_on_from_what_it_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(baseline_is_when_the_tracing_began_if_later, setup, teardown),
		cmocka_unit_test(frames_are_named_by_the_nearest_text_symbol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
