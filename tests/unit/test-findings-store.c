/* Findings written beside the verdicts (analysis/findings-store.h): the
 * demo's case, a canary keeping one name per 200 of its cycles beside a
 * clean workload whose cycles rise in a fixed ratio to its own. Without
 * pauses nothing can tell the two apart: one finding, no workload, and
 * why. With the probe's pauses: one finding, the canary's, at its own
 * 5 per 1000 cycles. With the objects' origins traced, the origins name
 * the workload when (nearly) all the growth is its: the canary without
 * the probe, flink-share over the probe's word when they say so; not
 * when the growth is split between the two. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "analysis/findings-store.h"
#include "analysis/verdicts.h"
#include "db/origins.h"
#include "db/store.h"
#include "tests/unit/tmp-db.h"

#define T0 1.7e9
#define PERIOD 60  /* the probe's period, seconds */

/* The workload the probe pauses at s seconds into a probed run: periods
 * alternate all, canary, all, flink-share. */
static const char *paused_at(double s, int probed)
{
	long k = (long)(s / PERIOD);
	return !probed || k % 2 == 0 ? NULL : k % 4 == 1 ? "canary" : "flink-share";
}

/* Whose GEM objects the kept names are, as the origins tell: nobody's
 * (none traced), the canary's, half each, flink-share's. */
enum made { UNTRACED, BY_CANARY, SPLIT, BY_FLINK };

/* The origins of a round with `kept` names kept: each workload's GEM
 * objects made by its dumb-buffer creation, flink-share's pool of 20
 * beside what made keeps. */
static void put_origins(struct store *st, int64_t run, double t, double kept, enum made made)
{
	static const char stack[] = "drm_gem_object_init+0x0\n__drm_gem_shmem_create+0x84\n"
				    "drm_gem_shmem_dumb_create+0x37\ndrm_ioctl+0x238";
	double canary = made == BY_CANARY ? kept : made == SPLIT ? floor(kept / 2) : 0;
	double flink = kept - canary;
	struct origin_rows r;
	origin_rows_init(&r);
	r.taken = true;
	for (int w = 0; w < 2; w++) {
		struct origin_row *o = origin_rows_add(&r);
		assert_non_null(o);
		o->kind = "gem";
		snprintf(o->workload, sizeof(o->workload), "%s", w ? "flink-share" : "canary");
		snprintf(o->comm, sizeof(o->comm), "%s", w ? "gs:flink-share" : "gs:canary");
		snprintf(o->stack, sizeof(o->stack), "%s", stack);
		o->alive = (uint64_t)(w ? 20 + flink : 2 + canary);
		o->alive_bytes = 4096 * o->alive;
	}
	assert_int_equal(store_origins(st, run, t, &r), 0);
	origin_rows_free(&r);
}

/* An hour of 10 s rounds: the canary at 300 cycles/s, flink-share at
 * 720 (2.4 times), each stopped while paused; names kept one per 200
 * canary cycles, their bytes and shmem with them, a sawtooth over all,
 * and a clean dma-buf count; their origins, when traced, as made says. */
static void record(struct store *st, int64_t run, int probed, enum made made)
{
	struct metric_batch b;
	double canary = 0, flink = 0;
	batch_init(&b);
	assert_int_equal(store_batch_begin(st), 0);
	for (int k = 0; k < 360; k++) {
		double s = 10.0 * k, saw = (double)((k * 10) % 70);
		const char *p = paused_at(s, probed);
		if (probed && (long)(s / PERIOD) % 2 == 1 && fmod(s, PERIOD) == 0)
			assert_int_equal(store_probe_pause_begin(st, run, p, T0 + s), 0);
		if (probed && (long)(s / PERIOD) % 2 == 0 && s >= PERIOD && fmod(s, PERIOD) == 0)
			assert_int_equal(store_probe_pause_end(st, run, paused_at(s - PERIOD, 1), T0 + s - PERIOD, T0 + s), 0);
		double names = floor(canary / 200);
		batch_reset(&b);
		batch_put(&b, "gem.names_held", 20 + saw + names, "count");
		batch_put(&b, "gem.names_held_bytes", 4096 * (20 + saw + names), "bytes");
		batch_put(&b, "mem.shmem_kb", 90000 + 4 * (names + saw), "kB");
		batch_put(&b, "dmabuf.objects", 20 + saw, "count");
		batch_put(&b, "workload.canary.cycles", canary, "count");
		batch_put(&b, "workload.flink-share.cycles", flink, "count");
		assert_int_equal(store_samples(st, run, T0 + s, (uint64_t)(canary + flink), &b), 0);
		if (made != UNTRACED)
			put_origins(st, run, T0 + s, names, made);
		canary += p && strcmp(p, "canary") == 0 ? 0 : 3000;
		flink += p && strcmp(p, "flink-share") == 0 ? 0 : 7200;
	}
	assert_int_equal(store_batch_end(st), 0);
	batch_free(&b);
}

static void findings_with_and_without_the_probe(void **state)
{
	struct store *st;
	char err[256];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run[2];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	for (int probed = 0; probed < 2; probed++) {
		assert_int_equal(store_begin_run(st, T0, &ri, &run[probed]), 0);
		record(st, run[probed], probed, UNTRACED);
	}
	store_close(st);

	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (int probed = 0; probed < 2; probed++)
		if (gs_store_verdicts(db, run[probed], NULL, err, sizeof(err))) {
			print_error("%s\n", err);
			fail();
		}
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT run_id, COALESCE(workload, '-'), COALESCE(per_kcycle, -1),"
					    " metrics, summary FROM findings ORDER BY run_id, id", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		printf("run %lld: %s, %.2f per 1000 of its cycles, [%s]\n  %s\n", sqlite3_column_int64(s, 0),
		       sqlite3_column_text(s, 1), sqlite3_column_double(s, 2), sqlite3_column_text(s, 3),
		       sqlite3_column_text(s, 4));
	sqlite3_finalize(s);
	/* without the probe: one finding of three metrics, nobody named */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM findings WHERE run_id = 1"), 1);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM findings WHERE run_id = 1 AND workload IS NULL"
				  " AND metrics = 'gem.names_held,gem.names_held_bytes,mem.shmem_kb'"
				  " AND summary LIKE '%no workload named: the workloads'' cycles rose in a fixed ratio%'"), 1);
	/* with it: the canary's, at 5 per 1000 of its own cycles (+-10 %) */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM findings WHERE run_id = 2"), 1);
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM findings WHERE run_id = 2 AND workload = 'canary'"
				  " AND lead_metric = 'gem.names_held' AND per_kcycle BETWEEN 4.5 AND 5.5"
				  " AND length(metrics) - length(replace(metrics, ',', '')) >= 2"), 1);
	/* a reader gets the same from the table */
	struct gs_finding *f;
	size_t n;
	assert_int_equal(gs_load_findings(db, run[1], &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].summary, "the canary keeps 1 GEM name per 200 of its cycles (held by its process)");
	free(f);
	sqlite3_close(db);
}

/* The same runs with their objects' origins traced: the canary's without
 * the probe (attribution origin, at its own rate from its cycle rate);
 * flink-share's with the probe naming the canary (the origin wins, and
 * the finding says so); split half and half: the statistics' word
 * stands (the control). */
static void origins_name_the_workload(void **state)
{
	static const struct {
		int probed;
		enum made made;
		const char *expect; /* workload, attribution */
	} runs[] = {
		{ 0, BY_CANARY, "canary origin" },
		{ 1, BY_FLINK, "flink-share origin" },
		{ 0, SPLIT, "- ambiguous" },
		{ 1, SPLIT, "canary probe" },
	};
	struct store *st;
	char err[256];
	static const struct run_info ri = { .hostname = "h", .kernel_release = "6.1", .config_text = "" };
	int64_t run[4];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(store_begin_run(st, T0, &ri, &run[i]), 0);
		record(st, run[i], runs[i].probed, runs[i].made);
	}
	store_close(st);

	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (int i = 0; i < 4; i++) {
		if (gs_store_verdicts(db, run[i], NULL, err, sizeof(err))) {
			print_error("%s\n", err);
			fail();
		}
		struct gs_finding *f;
		size_t n;
		assert_int_equal(gs_load_findings(db, run[i], &f, &n, err, sizeof(err)), 0);
		assert_int_equal(n, 1);
		char got[128];
		snprintf(got, sizeof(got), "%s %s", *f[0].workload ? f[0].workload : "-", f[0].attribution);
		printf("run %lld (%s): %s, %.2f per 1000 of its cycles, [%s]\n  %s\n", (long long)run[i],
		       runs[i].expect, got, f[0].per_kcycle, f[0].metrics, f[0].summary);
		assert_string_equal(got, runs[i].expect);
		free(f);
	}
	/* The canary's own rate, 5 per 1000 of its cycles (+-10 %), from its
	 * cycle rate: the same as the probe's. */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM findings WHERE run_id = 1 AND per_kcycle BETWEEN 4.5 AND 5.5"
				  " AND summary = 'the canary keeps 1 GEM name per 200 of its cycles (held by its process)'"), 1);
	/* flink-share's at its own cycle rate (2.4 times the canary's, less
	 * its pauses), and the statistics' word said. */
	assert_int_equal(db_int(db, "SELECT COUNT(*) FROM findings WHERE run_id = 2 AND per_kcycle BETWEEN 1.5 AND 2.5"
				  " AND summary LIKE 'the flink-share keeps 1 GEM name per % of its cycles (held by its process);"
				  " its objects were made by flink-share''s processes, though the statistics named canary'"), 1);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(findings_with_and_without_the_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(origins_name_the_workload, setup, teardown),
	};
	return cmocka_run_group_tests_name("findings-store", tests, NULL, NULL);
}
