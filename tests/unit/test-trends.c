/* Leak verdicts (leak_trends, db/TRENDS.md) on synthetic series sampled
 * every 10 s at 500 cycles/s with the default 5-minute floor window:
 * normal use must not look like a leak, and a slow leak must. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/store.h"

#define TICK_S 10.0
#define CYCLES_PER_S 500.0
#define T0 1.7e9

static char dbpath[64];

static int setup(void **state)
{
	snprintf(dbpath, sizeof(dbpath), "/tmp/gs-test-trends-XXXXXX");
	int fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
	return 0;
}

static int teardown(void **state)
{
	const char *sfx[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		char p[96];
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	return 0;
}

/* Value of a series at tick k (t = k * TICK_S). */
typedef double (*series_fn)(int k);

/* Store `ticks` rounds of one metric "m" and return its verdict. */
static char *verdict_of(series_fn f, int ticks)
{
	struct store *st;
	char err[256];
	if (store_open(dbpath, &st, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run;
	assert_int_equal(store_begin_run(st, T0, &ri, &run), 0);
	struct metric_batch b;
	batch_init(&b);
	for (int k = 0; k < ticks; k++) {
		batch_reset(&b);
		batch_put(&b, "m", f(k), "count");
		double t = k * TICK_S;
		assert_int_equal(store_samples(st, run, T0 + t, (uint64_t)(t * CYCLES_PER_S), &b), 0);
	}
	batch_free(&b);
	store_close(st);

	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT verdict, slope_per_kcycle, r2 FROM leak_trends"
					    " WHERE metric = 'm'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	char *v = strdup((const char *)sqlite3_column_text(s, 0));
	print_message("    verdict %s, floor slope %.3f/kcycle, r2 %.3f\n", v, sqlite3_column_double(s, 1),
		      sqlite3_column_double(s, 2));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void expect(series_fn f, int ticks, const char *verdict)
{
	char *v = verdict_of(f, ticks);
	assert_string_equal(v, verdict);
	free(v);
}

/* Deterministic noise in [-1, 1]. */
static double noise(int k)
{
	uint32_t h = (uint32_t)k * 2654435761u;
	h ^= h >> 15;
	return (double)(h % 2001) / 1000.0 - 1.0;
}

#define HOUR_TICKS 360

/* In-flight buffers of normal use: up to 200 above a flat floor of 100. */
static double saw_fast(int k) { return 100 + (k % 7) * 30 + 3 * noise(k); }
/* A sawtooth slower than the window, so the floors themselves swing. */
static double saw_slow(int k) { return 100 + (k % 60) * 4 + 3 * noise(k); }
/* 1 object per 10,000 cycles (180 per hour at 500 cycles/s) under a sawtooth. */
static double slow_leak(int k) { return saw_fast(k) + (double)((int64_t)(k * TICK_S * CYCLES_PER_S) / 10000); }
/* A display-server restart leaves 50 objects behind once. */
static double step_once(int k) { return saw_fast(k) + (k > 150 ? 50 : 0); }
/* A burst of 5000 for one round, and a plateau of 500 for 8 minutes. */
static double spikes(int k) { return saw_fast(k) + (k == 100 ? 5000 : 0) + (k >= 200 && k < 248 ? 500 : 0); }

static void sawtooth_with_flat_floor_is_stable(void **state) { expect(saw_fast, 2 * HOUR_TICKS, "stable"); }
static void slow_sawtooth_is_stable(void **state) { expect(saw_slow, 2 * HOUR_TICKS, "stable"); }
static void slow_floor_rise_is_leaking(void **state) { expect(slow_leak, HOUR_TICKS, "leaking"); }
static void restart_step_is_stable(void **state) { expect(step_once, 2 * HOUR_TICKS, "stable"); }
static void spikes_are_stable(void **state) { expect(spikes, 2 * HOUR_TICKS, "stable"); }
static void ten_minutes_are_insufficient(void **state) { expect(slow_leak, 60, "insufficient-data"); }

static long long count_of(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	long long n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Raw samples go after the retention time; the rollups, and so the
 * verdicts and slopes, stay. */
static void pruning_keeps_the_trends(void **state)
{
	char *v = verdict_of(slow_leak, HOUR_TICKS);
	free(v);
	static const char trend[] = "SELECT CAST(slope_per_kcycle * 1000 AS INTEGER) * 10 + (verdict = 'leaking')"
				    " FROM leak_trends WHERE metric = 'm'";
	long long before = count_of(trend);
	struct store *st;
	char err[256];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	int64_t deleted;
	assert_int_equal(store_prune_samples(st, T0 + 1800, &deleted), 0);
	store_close(st);
	assert_int_equal(deleted, 180); /* the ticks of the first half hour */
	assert_int_equal(count_of("SELECT COUNT(*) FROM samples"), HOUR_TICKS - 180);
	assert_int_equal(count_of("SELECT MIN(k.t) FROM samples s JOIN ticks k ON k.id = s.tick_id"), (long long)(T0 + 1800));
	assert_int_equal(count_of(trend), before);
	assert_true(before % 10 == 1); /* still leaking */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sawtooth_with_flat_floor_is_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_sawtooth_is_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_floor_rise_is_leaking, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_step_is_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(spikes_are_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(ten_minutes_are_insufficient, setup, teardown),
		cmocka_unit_test_setup_teardown(pruning_keeps_the_trends, setup, teardown),
	};
	return cmocka_run_group_tests_name("trends", tests, NULL, NULL);
}
