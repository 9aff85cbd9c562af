/* The SQLite store: opens (creating and migrating) the database in WAL
 * mode so sqlite3 can read while the daemon writes, and writes runs,
 * ticks, samples and events. Each sampling round is one transaction. */
#ifndef GS_STORE_H
#define GS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/metric-batch.h"

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
	const char *boot_id;     /* /proc/sys/kernel/random/boot_id; kept in run_props */
};

/* "GmSk" in the SQLite header's application_id: a gemsoak database. */
#define GS_APPLICATION_ID 0x476d536b

/* store_open_flags: hold an exclusive lock on the file until store_close
 * (the daemon: one writer per database). */
#define STORE_EXCLUSIVE 1u

/* Whether a process holds PATH's STORE_EXCLUSIVE lock (a daemon writes
 * it): 1 held, 0 not, -1 with errno set when it cannot be tested. Opens
 * and closes a descriptor of its own, so call it while this process has
 * no SQLite connection to PATH (a close drops the process's POSIX locks). */
int store_lock_held(const char *path);

/* Open, creating or migrating, a database that is empty or gemsoak's; any
 * other file (another application's SQLite database, not SQLite at all,
 * not a regular file) is refused before anything in it changes.
 * 0, or -1 with err filled ("PATH: reason"). */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
int store_open_flags(const char *path, unsigned flags, struct store **out, char *err, size_t errlen);

/* Whose is the open database: 1 gemsoak's, 0 empty (nothing in it yet),
 * -1 anything else, with why filled. Reads only. */
struct sqlite3;
int store_check_owner(struct sqlite3 *db, char *why, size_t whylen);
/* The schema version this gemsoak writes (the number of migrations). */
int store_known_version(void);
void store_close(struct store *st);
int store_schema_version(struct store *st);

int store_begin_run(struct store *st, double t, const struct run_info *ri, int64_t *run_id);
int store_end_run(struct store *st, int64_t run_id, double t);
/* A reload changed the run's config at t: runs.config_text becomes text,
 * and run_configs keeps it beside the versions before. 0 or -1. */
int store_run_config(struct store *st, int64_t run_id, double t, const char *text);
/* Record (or replace) one run_props fact of the run. */
int store_run_prop(struct store *st, int64_t run_id, const char *key, const char *value);
int store_event(struct store *st, int64_t run_id, double t, const char *severity,
		const char *source, const char *kind, const char *message);
/* Write one sampling round as a tick and its samples. 0: written, every
 * value; STORE_VALUES_REFUSED: written without the values the database
 * refuses (a name twice in the batch, a trigger's RAISE), store_errmsg
 * names the first; -1: not written, and it may be later (busy, full,
 * read-only, I/O); STORE_ROUND_REFUSED: not written, and never can be
 * (the tick itself breaks a constraint): the caller drops it. */
#define STORE_VALUES_REFUSED 2
#define STORE_ROUND_REFUSED (-2)
int store_samples(struct store *st, int64_t run_id, double t, uint64_t cycles,
		  const struct metric_batch *b);

/* Tools writing many rounds at once (generators, imports): between
 * store_batch_begin and store_batch_end, store_samples commits nothing by
 * itself (a failed round still rolls back alone). */
int store_batch_begin(struct store *st);
int store_batch_end(struct store *st);

/* Set one trend_settings value ("window_s": the floor window in seconds). */
int store_set_setting(struct store *st, const char *key, double value);

/* Delete the raw samples of ticks older than `before` (rollups stay).
 * *deleted gets the number of samples removed. */
int store_prune_samples(struct store *st, double before, int64_t *deleted);
/* Fold the events older than `before`: of each run, source, kind and hour
 * of the run, the first and last `keep` rows stay, and the first of the
 * last ones adds the rows between to its repeats (db/migrations/0012), so
 * a sum of repeats is what it was. *folded gets the rows removed. 0, or
 * -1 with nothing changed (store_errmsg says why). */
int store_prune_events(struct store *st, double before, int keep, int64_t *folded);

/* The newest run of the database, so a restarted daemon can continue it;
 * its last tick is the last written (by id: the order the daemon took
 * them, whatever the wall clock said). */
struct run_tail {
	int64_t id;
	double started, stopped, last_t;  /* last_t: its last tick (0: none) */
	uint64_t last_cycles;             /* cycles at its last tick */
	char kernel_release[128];
	char hostname[256], device[256];
	char boot_id[64];                 /* "" when the run did not record one */
	bool merged;                      /* copied in by gemsoak merge */
	double clock_wall0, clock_boot0;  /* run_props clock.*: its clock's anchor (0: none) */
	char *config_text;                /* malloc'd; free it */
};
/* 1 and *out filled when there is a run, 0 when none, -1 on error. */
int store_last_run(struct store *st, struct run_tail *out);
/* The run's metrics whose verdict is leaking, ", "-separated ("" when
 * none), as the verdicts table has them (analysis/verdicts.h stores
 * them). 0, or -1 on error. */
int store_leaking_metrics(struct store *st, int64_t run_id, char *buf, size_t len);

/* The run's kernel verdicts so far in one line, from the verdicts table:
 * what leaks, how many are undecided, and in how many seconds the first
 * verdicts can come. What leaks is "findings: " and the caller's words
 * for the run's findings, with the metrics over their bound (which no
 * finding holds) after them; with findings "" (none), the metrics
 * leaking or over their bound ("leaking: none so far" when none).
 * 0, or -1 (buf empty). */
int store_progress(struct store *st, int64_t run_id, const char *findings, char *buf, size_t len);
/* The attribution probe's pauses (daemon/probe.h) in probe_pauses: a row
 * at a pause's start (t_end NULL), its t_end at the end. 0, -1 on error,
 * or STORE_NO_TABLE when the database has no such table (nothing is
 * created here: the table belongs to the schema). */
#define STORE_NO_TABLE 1
int store_probe_pause_begin(struct store *st, int64_t run_id, const char *workload, double t_start);
int store_probe_pause_end(struct store *st, int64_t run_id, const char *workload, double t_start, double t_end);
/* Close the run's pauses left open by a daemon that died during one, at
 * the run's last tick. 0, -1 on error, or STORE_NO_TABLE. */
int store_probe_close_open(struct store *st, int64_t run_id);

/* Mark a stopped run as running again. */
int store_resume_run(struct store *st, int64_t run_id);

/* True when the database's path no longer names the open file (removed,
 * or replaced by another): what is written now would be lost with it.
 * The writing functions and store_errmsg take a NULL store (none open:
 * they fail), and store_file_replaced(NULL) is true. */
bool store_file_replaced(struct store *st);

/* The store's connection (NULL without a store), for the analysis layer,
 * which writes its verdicts with it between rounds. */
struct sqlite3 *store_db(struct store *st);

/* The last SQLite error message, for logs. */
const char *store_errmsg(struct store *st);

#endif
