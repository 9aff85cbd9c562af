/* The store's own parts (db/store.h is its face): struct store and the
 * SQL helpers its three files share. store.c opens, migrates and closes,
 * store-write.c writes, store-read.c reads. Only db/store*.c include it. */
#ifndef GS_STORE_INTERNAL_H
#define GS_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "common/metric-batch.h"

/* How long a write waits for another writer's lock (see store_open_flags). */
#define BUSY_TIMEOUT_MS 250
/* The WAL's bound in bytes: about 1000 pages, SQLite's auto-checkpoint. */
#define WAL_LIMIT_BYTES 4194304

/* Metric ids are looked up once and cached; a run has a few dozen. */
struct metric_id {
	char name[METRIC_NAME_MAX];
	int64_t id;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins_tick, *ins_sample, *ins_event, *ins_metric, *sel_metric;
	struct metric_id *ids;
	size_t nids, capids;
	char error[256];     /* why the last write failed, kept past ROLLBACK */
	int batch;           /* inside store_batch_begin/end */
	char path[512];      /* to notice the file removed or replaced */
	char wal[520];       /* path-wal, whose size store_samples watches */
	dev_t dev;
	ino_t ino;
	int lock_fd;         /* STORE_EXCLUSIVE: the lock held for the store's life */
};

/* sqlite3_exec without a callback: 0, or -1. */
int store_exec(struct store *st, const char *sql);

/* Prepare sql, bind the arguments after types (one letter each: 'i'
 * int64_t, 'd' double, 't' const char *, NULL binding NULL), step it once,
 * hand a row to row(s, arg) when there is one, and finalize it. Returns
 * the step's SQLITE_DONE or SQLITE_ROW (SQLITE_NOMEM when row fails), or
 * -1 when sql does not prepare. */
int store_run_once(sqlite3 *db, int (*row)(sqlite3_stmt *s, void *arg), void *arg,
		   const char *sql, const char *types, ...);

/* The integer a one-value query returns; -1 when it fails. */
int64_t store_query_int(sqlite3 *db, const char *sql);

#endif
