/* The SQLite store: opens (creating and migrating) the database in WAL
 * mode so sqlite3 can read while the daemon writes, and writes runs,
 * ticks, samples and events. Each sampling round is one transaction. */
#ifndef GS_STORE_H
#define GS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sources/sources.h"

struct store;

struct run_info {
	const char *hostname;
	const char *kernel_release;
	const char *kernel_version;
	const char *device;
	const char *driver;
	const char *capabilities;
	const char *config_path;
	const char *config_text;
};

/* 0, or -1 with err filled ("PATH: reason"). */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
int store_schema_version(struct store *st);

int store_begin_run(struct store *st, double t, const struct run_info *ri, int64_t *run_id);
int store_end_run(struct store *st, int64_t run_id, double t);
/* Record (or replace) one run_props fact of the run. */
int store_run_prop(struct store *st, int64_t run_id, const char *key, const char *value);
int store_event(struct store *st, int64_t run_id, double t, const char *severity,
		const char *source, const char *kind, const char *message);
int store_samples(struct store *st, int64_t run_id, double t, uint64_t cycles,
		  const struct metric_batch *b);

/* The last SQLite error message, for logs. */
const char *store_errmsg(struct store *st);

#endif
