/* gemsoak-synth: write a gemsoak database of synthetic runs through the
 * real store (db/store-write.c, so the rollup triggers run as in the daemon).
 *   --preset eval   one run per cycle rate, 1 hour: clean.SHAPE.N and
 *                   leak.RATE.SHAPE.N series (labels in the names)
 *   --preset ttv    runs of 1 to 60 minutes per cycle rate: how soon each
 *                   leak rate gets its verdict (labels in the names)
 *   --preset bench  one run of DAYS days (or HOURS hours) at 10 s with 50
 *                   metrics, pruning raw samples as the daemon does; its
 *                   rollups written in bulk, or by the store's trigger
 *                   with --trigger-rollups
 *   --preset demo   two runs (a leak, then fixed) with events and a gap,
 *                   for the CLI tests
 * Then it judges every run it wrote (analysis/verdicts.h), as a daemon
 * does at the end of a run: leak_trends reads the stored verdicts. */
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/verdicts.h"
#include "bench/rollup-writer.h"
#include "bench/series.h"
#include "common/util.h"
#include "db/store.h"

#define T_START 1.7e9

struct gen {
	struct store *st;
	struct metric_batch b;
	const char *host;
};

static int fail(struct gen *g, const char *what)
{
	fprintf(stderr, "gemsoak-synth: %s: %s\n", what, store_errmsg(g->st));
	return 1;
}

static int begin(struct gen *g, double t, const char *kernel, const char *config, int64_t *run)
{
	struct run_info ri = {
		.hostname = g->host, .kernel_release = kernel, .kernel_version = "#1 SMP synthetic",
		.device = "/dev/dri/card0", .driver = "synthetic", .config_path = "synth.conf",
		.config_text = config,
	};
	return store_begin_run(g->st, t, &ri, run);
}

/* Labelled series at three workload rates: recall and false alarms of the
 * verdicts after one hour (bench/detector-eval.sh reads the names). */
static int preset_eval(struct gen *g)
{
	static const double rates[] = { 100, 500, 2000 };          /* cycles/s */
	static const double leaks[] = { 1e-4, 3e-4, 1e-3, 1e-2 };  /* objects per cycle */
	for (size_t r = 0; r < 3; r++) {
		int64_t run;
		double t0 = T_START + (double)r * 10000;
		char config[64];
		snprintf(config, sizeof(config), "rate = %.0f\n", rates[r]);
		if (begin(g, t0, "6.1.0-eval", config, &run))
			return fail(g, "run");
		for (int64_t k = 0; k <= 360; k++) {
			double t = (double)k * 10, cycles = t * rates[r];
			batch_reset(&g->b);
			for (int sh = 0; sh < SHAPE_COUNT; sh++) {
				for (uint32_t i = 0; i < 4; i++) {
					struct series s = { (enum shape)sh, 500 + 100 * i, 200 + 50 * i, 0, i * 7919 + (uint32_t)sh };
					char name[METRIC_NAME_MAX];
					snprintf(name, sizeof(name), "clean.%s.%u", shape_name(s.shape), i);
					batch_put(&g->b, name, series_value(&s, k, t, cycles), "count");
					for (size_t l = 0; l < 4; l++) {
						s.leak = leaks[l];
						snprintf(name, sizeof(name), "leak.%g.%s.%u", leaks[l], shape_name(s.shape), i);
						batch_put(&g->b, name, series_value(&s, k, t, cycles), "count");
					}
				}
			}
			if (store_samples(g->st, run, t0 + t, (uint64_t)cycles, &g->b))
				return fail(g, "samples");
		}
		store_end_run(g->st, run, t0 + 3600);
	}
	return 0;
}

/* The time to a verdict: the same series cut after 1 to 60 minutes, one
 * run per cycle rate and length ("rate = R" and "minutes = M" in the run's
 * configuration text; bench/detector-eval.sh reads them). */
static int preset_ttv(struct gen *g)
{
	static const double rates[] = { 100, 500, 2000 };                  /* cycles/s */
	static const double leaks[] = { 1e-4, 3e-4, 1e-3, 5e-3, 1e-2 };   /* objects per cycle */
	static const int minutes[] = { 1, 2, 5, 10, 20, 30, 45, 60 };
	double t0 = T_START;
	for (size_t r = 0; r < 3; r++) {
		for (size_t d = 0; d < sizeof(minutes) / sizeof(minutes[0]); d++) {
			int64_t run;
			char config[64];
			snprintf(config, sizeof(config), "rate = %.0f\nminutes = %d\n", rates[r], minutes[d]);
			if (begin(g, t0, "6.1.0-ttv", config, &run) || store_batch_begin(g->st))
				return fail(g, "run");
			for (int64_t k = 0; k <= minutes[d] * 6; k++) {
				double t = (double)k * 10, cycles = t * rates[r];
				batch_reset(&g->b);
				for (uint32_t i = 0; i < 2; i++) {
					struct series s = { SHAPE_SAW_FAST, 500 + 100 * i, 200 + 50 * i, 0, i * 7919 };
					char name[METRIC_NAME_MAX];
					snprintf(name, sizeof(name), "clean.saw-fast.%u", i);
					batch_put(&g->b, name, series_value(&s, k, t, cycles), "count");
					for (size_t l = 0; l < sizeof(leaks) / sizeof(leaks[0]); l++) {
						s.leak = leaks[l];
						snprintf(name, sizeof(name), "leak.%g.saw-fast.%u", leaks[l], i);
						batch_put(&g->b, name, series_value(&s, k, t, cycles), "count");
					}
				}
				if (store_samples(g->st, run, t0 + t, (uint64_t)cycles, &g->b))
					return fail(g, "samples");
			}
			if (store_batch_end(g->st) || store_end_run(g->st, run, t0 + minutes[d] * 60.0))
				return fail(g, "end");
			t0 += 7200;
		}
	}
	return 0;
}

/* The ids of the n metrics named names[0..n-1] (written), into ids. */
static int metric_ids(struct gen *g, char (*names)[METRIC_NAME_MAX], size_t n, int64_t *ids)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(g->st), "SELECT id FROM metrics WHERE name = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW)
			break;
		ids[i] = sqlite3_column_int64(s, 0);
		if (i + 1 == n) {
			sqlite3_finalize(s);
			return 0;
		}
	}
	sqlite3_finalize(s);
	return -1;
}

#define BENCH_METRICS 50

/* A month at 10 s: the size and speed goals of `make bench`. Its rollups
 * are written in bulk (bench/rollup-writer.h) unless by_trigger. */
static int preset_bench(struct gen *g, int64_t hours, int by_trigger)
{
	int64_t run, deleted, ids[BENCH_METRICS];
	static char names[BENCH_METRICS][METRIC_NAME_MAX];
	struct rollup_writer *rw = NULL;
	char err[256];
	if (begin(g, T_START, "6.1.0-bench", "bench\n", &run))
		return fail(g, "run");
	if (!by_trigger && !(rw = rollup_writer_begin(store_db(g->st), run, BENCH_METRICS, err, sizeof(err)))) {
		fprintf(stderr, "gemsoak-synth: %s\n", err);
		return 1;
	}
	int64_t ticks = hours * 360;
	int r = 0;
	/* An hour of rounds per transaction: a month is written in minutes. */
	for (int64_t k = 0; r == 0 && k < ticks; k++) {
		if (k % 360 == 0 && store_batch_begin(g->st)) {
			r = fail(g, "begin");
			break;
		}
		double t = (double)k * 10, cycles = t * 500;
		batch_reset(&g->b);
		for (uint32_t i = 0; i < BENCH_METRICS; i++) {
			struct series s = { (enum shape)(i % SHAPE_COUNT), 1000 + i, 300, i % 10 == 0 ? 1e-4 : 0, i };
			snprintf(names[i], sizeof(names[i]), "bench.%s.%02u", shape_name(s.shape), i);
			batch_put(&g->b, names[i], series_value(&s, k, t, cycles), "count");
		}
		if (store_samples(g->st, run, T_START + t, (uint64_t)cycles, &g->b)) {
			r = fail(g, "samples");
			break;
		}
		if (rw && k == 0 && metric_ids(g, names, BENCH_METRICS, ids)) {
			r = fail(g, "metrics");
			break;
		}
		for (size_t i = 0; rw && r == 0 && i < BENCH_METRICS; i++)
			if (rollup_writer_add(rw, i, ids[i], T_START + t, (int64_t)(uint64_t)cycles, g->b.v[i].value, err,
					      sizeof(err))) {
				fprintf(stderr, "gemsoak-synth: %s\n", err);
				r = 1;
			}
		if (r == 0 && k % 360 == 359 &&
		    (store_prune_samples(g->st, T_START + t - 7 * 86400.0, &deleted) || store_batch_end(g->st)))
			r = fail(g, "prune");
	}
	if (r == 0 && ticks % 360 && store_batch_end(g->st))
		r = fail(g, "commit");
	if (rw && rollup_writer_end(rw, err, sizeof(err)) && r == 0) {
		fprintf(stderr, "gemsoak-synth: %s\n", err);
		r = 1;
	}
	if (r)
		return r;
	return store_end_run(g->st, run, T_START + (double)ticks * 10) ? fail(g, "end") : 0;
}

/* Run 1 leaks flink names (1 per 1000 cycles); run 2, after the fix, not. */
static int demo_run(struct gen *g, double t0, const char *kernel, double leak, int64_t gap_at)
{
	int64_t run;
	if (begin(g, t0, kernel, "[workload canary]\nleak_every = 1000\n", &run) ||
	    store_run_prop(g->st, run, "fixes", leak > 0 ? "" : "002-flink-leak") ||
	    store_event(g->st, run, t0, "notice", "daemon", "run-start", "synthetic run"))
		return fail(g, "run");
	struct series names = { SHAPE_SAW_FAST, 40, 120, leak, 1 };
	struct series bufs = { SHAPE_RESTARTS, 30, 60, 0, 2 };
	struct series shmem = { SHAPE_SPIKES, 20000, 2000, 0, 3 };
	for (int64_t k = 0; k <= 720; k++) {
		if (gap_at && k >= gap_at && k < gap_at + 30)
			continue; /* the daemon was down for 5 minutes */
		double t = (double)k * 10, cycles = t * 500;
		if (gap_at && k == gap_at + 30 &&
		    store_event(g->st, run, t0 + t, "warning", "daemon", "gap",
				"run continues after 300 s without samples (same kernel and configuration)"))
			return fail(g, "event");
		if (k == 400 && store_event(g->st, run, t0 + t, "warning", "workload canary", "worker-exit",
					    "worker 1 killed by signal KILL"))
			return fail(g, "event");
		batch_reset(&g->b);
		batch_put(&g->b, "gem.flink_names", series_value(&names, k, t, cycles), "count");
		batch_put(&g->b, "dmabuf.objects", series_value(&bufs, k, t, cycles), "count");
		batch_put(&g->b, "mem.shmem_kb", series_value(&shmem, k, t, cycles), "kB");
		batch_put(&g->b, "workload.canary.cycles", cycles, "cycles");
		if (store_samples(g->st, run, t0 + t, (uint64_t)cycles, &g->b))
			return fail(g, "samples");
	}
	return store_end_run(g->st, run, t0 + 7200) ? fail(g, "end") : 0;
}

static int preset_demo(struct gen *g)
{
	return demo_run(g, T_START, "6.1.0-before", 1e-3, 300) ||
	       demo_run(g, T_START + 86400, "6.1.0-fixed", 0, 0);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: gemsoak-synth --db FILE --preset eval|ttv|bench|demo [--days N | --hours N] [--host NAME]"
		" [--trigger-rollups]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "preset", required_argument, NULL, 'p' },
		{ "days", required_argument, NULL, 'd' },
		{ "hours", required_argument, NULL, 'o' },
		{ "host", required_argument, NULL, 'H' },
		{ "trigger-rollups", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *preset = NULL;
	struct gen g = { .host = "synth" };
	int64_t hours = 30 * 24, n;
	int c, by_trigger = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': db = optarg; break;
		case 'p': preset = optarg; break;
		case 'H': g.host = optarg; break;
		case 'T': by_trigger = 1; break;
		case 'd':
		case 'o':
			if (!parse_int64(optarg, 1, c == 'd' ? 3650 : 3650 * 24, &n)) {
				fprintf(stderr, "gemsoak-synth: --%s: '%s' is not 1..%d\n", c == 'd' ? "days" : "hours", optarg,
					c == 'd' ? 3650 : 3650 * 24);
				return 2;
			}
			hours = c == 'd' ? 24 * n : n;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!db || !preset) {
		usage(stderr);
		return 2;
	}
	char err[512];
	if (store_open(db, &g.st, err, sizeof(err))) {
		fprintf(stderr, "gemsoak-synth: %s\n", err);
		return 1;
	}
	/* A month's rollups (about 150 MB) in memory: the daemon's 1 MB
	 * cache would read most of their pages back for every round. */
	sqlite3_exec(store_db(g.st), "PRAGMA cache_size = -1048576", NULL, NULL, NULL);
	batch_init(&g.b);
	int r;
	if (strcmp(preset, "eval") == 0)
		r = preset_eval(&g);
	else if (strcmp(preset, "ttv") == 0)
		r = preset_ttv(&g);
	else if (strcmp(preset, "bench") == 0)
		r = preset_bench(&g, hours, by_trigger);
	else if (strcmp(preset, "demo") == 0)
		r = preset_demo(&g);
	else {
		fprintf(stderr, "gemsoak-synth: unknown preset '%s'\n", preset);
		r = 2;
	}
	if (r == 0 && gs_store_stale_verdicts(store_db(g.st), 0, NULL, err, sizeof(err))) {
		fprintf(stderr, "gemsoak-synth: %s\n", err);
		r = 1;
	}
	batch_free(&g.b);
	store_close(g.st);
	return r;
}
