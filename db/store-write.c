/* The store's writes: runs, their facts and configs, events, and the
 * sampling rounds. Tuned for the daemon's load, a round every interval
 * for weeks: one transaction per round (or a savepoint inside a batch),
 * statements prepared once at opening, metric ids cached, nothing written
 * while the filesystem is read-only, a WAL a long reader let grow cut
 * back, a failed commit rolled back so the next round can begin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <sqlite3.h>

#include "db/store-internal.h"
#include "db/store.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Keep why the last write failed. SQLite says "disk I/O error" for any
 * failed write; the errno behind it tells a read-only filesystem from a
 * failing disk. */
static void keep_error(struct store *st)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	int sys = sqlite3_system_errno(st->db);
	if ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && sys > 0)
		snprintf(st->error, sizeof(st->error), "%s (%s)", sqlite3_errmsg(st->db), strerror(sys));
	else
		snprintf(st->error, sizeof(st->error), "%s", sqlite3_errmsg(st->db));
}

/* A filesystem forced read-only (errors=remount-ro, an emergency remount)
 * still takes writes to files already open when they need no journal
 * entry (ext4's delayed allocation): SQLite sees no error, the pages stay
 * dirty because writeback fails ("ext4_writepages: jbd2_start ... err
 * -30"), and a crash or reboot before the filesystem is writable again
 * loses them, committed rounds included. So nothing is written while it is
 * read-only; the caller keeps what it could not write (the sampler's
 * backlog) and says the database is failing. */
static bool fs_readonly(struct store *st)
{
	struct statvfs sv;
	if (!st->path[0] || statvfs(st->path, &sv) != 0 || !(sv.f_flag & ST_RDONLY))
		return false;
	snprintf(st->error, sizeof(st->error), "the database's filesystem is mounted read-only");
	return true;
}

/* Run one prepared statement to completion and reset it for reuse. */
static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A COMMIT, or the RELEASE of an outermost savepoint, that fails (a
 * full disk, an I/O error) may leave its transaction open; every BEGIN
 * after it then fails with "cannot start a transaction within a
 * transaction", so the daemon kept its rounds in memory until it stopped
 * and dropped them there. Outside a batch, roll such a transaction back:
 * none of its writes were stored, so neither are the metrics it added
 * (their cached ids are forgotten). */
static void end_failed_transaction(struct store *st)
{
	if (!st->batch && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->nids = 0;
}

/* Release savepoint `name` when ok, else roll back to it (keeping the
 * error for store_errmsg); 0 when ok and released. */
static int end_savepoint(struct store *st, const char *name, bool ok)
{
	char sql[96];
	if (!ok)
		keep_error(st);
	snprintf(sql, sizeof(sql), ok ? "RELEASE %s" : "ROLLBACK TO %s; RELEASE %s", name, name);
	if (store_exec(st, sql)) {
		if (ok)
			keep_error(st);
		end_failed_transaction(st);
		return -1;
	}
	return ok ? 0 : -1;
}

int store_begin_run(struct store *st, double t, const struct run_info *ri, int64_t *run_id)
{
	if (store_exec(st, "SAVEPOINT begin_run"))
		return -1;
	int rc = store_run_once(st->db, NULL, NULL,
			  "INSERT INTO runs(started, hostname, kernel_release, kernel_version, device,"
			  " driver, capabilities, config_path, config_text, gemsoak_version)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "dttttttttt", t,
			  or_empty(ri->hostname), or_empty(ri->kernel_release), or_empty(ri->kernel_version),
			  or_empty(ri->device), or_empty(ri->driver), or_empty(ri->capabilities),
			  or_empty(ri->config_path), or_empty(ri->config_text), GS_VERSION);
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if (rc == SQLITE_DONE)
		rc = store_run_once(st->db, NULL, NULL, "INSERT INTO run_configs(run_id, t, config_text) VALUES (?, ?, ?)",
			      "idt", id, t, or_empty(ri->config_text));
	if (end_savepoint(st, "begin_run", rc == SQLITE_DONE))
		return -1;
	*run_id = id;
	return 0;
}

int store_run_config(struct store *st, int64_t run_id, double t, const char *text)
{
	if (!st || fs_readonly(st) || store_exec(st, "SAVEPOINT run_config"))
		return -1;
	bool ok = store_run_once(st->db, NULL, NULL, "UPDATE runs SET config_text = ? WHERE id = ?", "ti", text,
			   run_id) == SQLITE_DONE &&
		  store_run_once(st->db, NULL, NULL, "INSERT INTO run_configs(run_id, t, config_text) VALUES (?, ?, ?)",
			   "idt", run_id, t, text) == SQLITE_DONE;
	return end_savepoint(st, "run_config", ok);
}

int store_end_run(struct store *st, int64_t run_id, double t)
{
	if (!st)
		return -1;
	return store_run_once(st->db, NULL, NULL, "UPDATE runs SET stopped = ? WHERE id = ?", "di", t, run_id) ==
	       SQLITE_DONE ? 0 : -1;
}

int store_run_prop(struct store *st, int64_t run_id, const char *key, const char *value)
{
	if (!st)
		return -1;
	return store_run_once(st->db, NULL, NULL, "INSERT OR REPLACE INTO run_props(run_id, key, value) VALUES (?, ?, ?)",
			"itt", run_id, key, value) == SQLITE_DONE ? 0 : -1;
}

int store_event(struct store *st, int64_t run_id, double t, const char *severity,
		const char *source, const char *kind, const char *message)
{
	if (!st)
		return -1;
	sqlite3_stmt *s = st->ins_event;
	if (fs_readonly(st))
		return -1;
	if (run_id > 0)
		sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_double(s, 2, t);
	sqlite3_bind_text(s, 3, severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, message, -1, SQLITE_STATIC);
	return step_done(s);
}

static int metric_id(struct store *st, const struct metric_value *mv, int64_t *id)
{
	for (size_t i = 0; i < st->nids; i++) {
		if (strcmp(st->ids[i].name, mv->name) == 0) {
			*id = st->ids[i].id;
			return 0;
		}
	}
	sqlite3_bind_text(st->ins_metric, 1, mv->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->ins_metric, 2, mv->unit ? mv->unit : "", -1, SQLITE_STATIC);
	if (step_done(st->ins_metric))
		return -1;
	sqlite3_stmt *s = st->sel_metric;
	sqlite3_bind_text(s, 1, mv->name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (*id < 0)
		return -1;
	if (st->nids == st->capids) {
		size_t cap = st->capids ? st->capids * 2 : 64;
		struct metric_id *n = realloc(st->ids, cap * sizeof(*n));
		if (!n)
			return 0; /* uncached is still correct */
		st->ids = n;
		st->capids = cap;
	}
	memcpy(st->ids[st->nids].name, mv->name, sizeof(mv->name));
	st->ids[st->nids++].id = *id;
	return 0;
}

int store_batch_begin(struct store *st)
{
	st->batch = store_exec(st, "BEGIN IMMEDIATE") == 0;
	return st->batch ? 0 : -1;
}

int store_batch_end(struct store *st)
{
	st->batch = 0;
	if (!store_exec(st, "COMMIT"))
		return 0;
	keep_error(st);
	end_failed_transaction(st);
	return -1;
}

/* A reader that holds a read transaction (sqlite3 left open, a report
 * over a month) stops every checkpoint from reaching the WAL's end, so
 * the WAL grows by every round meanwhile (32 MB in 30 s was seen) and
 * SQLite only ever reuses it, never shrinks it. Once it is over the
 * limit, a truncating checkpoint puts it all into the database and
 * empties the file; tried without waiting (busy timeout 0), since a
 * reader that still blocks it would stall the event loop: then the next
 * round tries again. */
static void truncate_wal(struct store *st)
{
	struct stat sb;
	if (st->batch || !st->wal[0] || stat(st->wal, &sb) != 0 || sb.st_size <= WAL_LIMIT_BYTES)
		return;
	sqlite3_busy_timeout(st->db, 0);
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
}

/* Whether the last error is the statement's own: it breaks a constraint
 * or holds a value SQLite refuses, so the same statement fails the same
 * way every time. Anything else (busy, locked, full, read-only, I/O) is
 * the database's state and may pass. */
static bool refused_for_good(struct store *st)
{
	int code = sqlite3_errcode(st->db) & 0xff;
	return code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG ||
	       code == SQLITE_RANGE;
}

int store_samples(struct store *st, int64_t run_id, double t, uint64_t cycles,
		  const struct metric_batch *b)
{
	if (!st || fs_readonly(st))
		return -1;
	if (!st->batch && !sqlite3_get_autocommit(st->db))
		end_failed_transaction(st); /* one a failed commit elsewhere left open */
	if (store_exec(st, st->batch ? "SAVEPOINT round" : "BEGIN IMMEDIATE")) {
		keep_error(st);
		return -1;
	}
	size_t refused = 0;
	char first[sizeof(st->error) - 64] = ""; /* room for the count before it */
	sqlite3_bind_int64(st->ins_tick, 1, run_id);
	sqlite3_bind_double(st->ins_tick, 2, t);
	sqlite3_bind_int64(st->ins_tick, 3, (sqlite3_int64)cycles);
	if (step_done(st->ins_tick))
		goto fail;
	int64_t tick = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < b->n; i++) {
		int64_t id;
		if (metric_id(st, &b->v[i], &id))
			goto fail;
		sqlite3_bind_int64(st->ins_sample, 1, id);
		sqlite3_bind_int64(st->ins_sample, 2, tick);
		sqlite3_bind_double(st->ins_sample, 3, b->v[i].value);
		if (step_done(st->ins_sample)) {
			if (!refused_for_good(st))
				goto fail;
			/* Only this statement was undone: the round keeps the rest. */
			if (!refused++)
				snprintf(first, sizeof(first), "%s: %s", b->v[i].name, sqlite3_errmsg(st->db));
		}
	}
	if (store_exec(st, st->batch ? "RELEASE round" : "COMMIT"))
		goto fail;
	truncate_wal(st);
	if (!refused) {
		st->error[0] = '\0';
		return 0;
	}
	snprintf(st->error, sizeof(st->error), "%zu value(s) refused, the first %s", refused, first);
	return STORE_VALUES_REFUSED;
fail:
	keep_error(st);
	bool for_good = refused_for_good(st);
	store_exec(st, st->batch ? "ROLLBACK TO round; RELEASE round" : "ROLLBACK");
	st->nids = 0; /* metrics inserted in this transaction are gone too */
	return for_good ? STORE_ROUND_REFUSED : -1;
}

int store_set_setting(struct store *st, const char *key, double value)
{
	return store_run_once(st->db, NULL, NULL, "INSERT OR REPLACE INTO trend_settings(key, value) VALUES (?, ?)",
			"td", key, value) == SQLITE_DONE ? 0 : -1;
}

/* Tick ids grow with time, so "older than" is a tick-id bound, and the
 * samples' primary key (metric_id, tick_id) turns the delete into one
 * range per metric instead of a scan of the whole table. */
int store_prune_samples(struct store *st, double before, int64_t *deleted)
{
	*deleted = 0;
	if (!st)
		return -1;
	if (store_run_once(st->db, NULL, NULL, "DELETE FROM samples WHERE metric_id IN (SELECT id FROM metrics)"
		     " AND tick_id <= (SELECT MAX(id) FROM ticks WHERE t < ?)", "d", before) != SQLITE_DONE)
		return -1;
	*deleted = sqlite3_changes(st->db);
	return 0;
}

/* The events older than ?1, numbered within their run, source, kind and
 * hour of the run (by time, then id), those of a bucket with more than
 * 2N+1 rows only. Unnumbered runs (run_id NULL) count hours from 0. */
static const char fold_sql[] =
	"CREATE TEMP TABLE prune_fold AS"
	" SELECT id, repeats, bucket, k, n FROM ("
	"  SELECT e.id, e.repeats,"
	"   DENSE_RANK() OVER (ORDER BY e.run_id, e.source, e.kind, CAST((e.t - COALESCE(r.started, 0)) / 3600 AS INTEGER)) AS bucket,"
	"   ROW_NUMBER() OVER b AS k, COUNT(*) OVER b AS n"
	"  FROM events e LEFT JOIN runs r ON r.id = e.run_id WHERE e.t < ?1"
	"  WINDOW b AS (PARTITION BY e.run_id, e.source, e.kind, CAST((e.t - COALESCE(r.started, 0)) / 3600 AS INTEGER)"
	"              ORDER BY e.t, e.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
	" WHERE n > 2 * ?2 + 1";

/* Keep each bucket's first N and last N rows; the first of the last N
 * takes the repeats of those between, which go. A second prune folds
 * what it kept before like any row, so the sum holds however often it
 * runs. All or nothing: a savepoint works in a batch and outside one. */
int store_prune_events(struct store *st, double before, int keep, int64_t *folded)
{
	*folded = 0;
	if (!st || keep < 1)
		return -1;
	if (store_exec(st, "SAVEPOINT prune_events") || store_exec(st, "DROP TABLE IF EXISTS temp.prune_fold"))
		return -1;
	if (store_run_once(st->db, NULL, NULL, fold_sql, "di", before, (int64_t)keep) != SQLITE_DONE ||
	    store_exec(st, "CREATE INDEX temp.prune_fold_bucket ON prune_fold(bucket)"))
		goto fail;
	if (store_run_once(st->db, NULL, NULL,
		     "UPDATE events SET repeats = repeats + (SELECT SUM(f.repeats) FROM prune_fold f"
		     "  JOIN prune_fold g ON g.bucket = f.bucket WHERE g.id = events.id AND f.k > ?1 AND f.k <= f.n - ?1)"
		     " WHERE id IN (SELECT id FROM prune_fold WHERE k = n - ?1 + 1)", "i", (int64_t)keep) != SQLITE_DONE ||
	    store_run_once(st->db, NULL, NULL,
		     "DELETE FROM events WHERE id IN (SELECT id FROM prune_fold WHERE k > ?1 AND k <= n - ?1)",
		     "i", (int64_t)keep) != SQLITE_DONE)
		goto fail;
	*folded = sqlite3_changes(st->db);
	if (store_exec(st, "DROP TABLE temp.prune_fold") || store_exec(st, "RELEASE prune_events"))
		goto fail;
	return 0;
fail:
	keep_error(st);
	store_exec(st, "ROLLBACK TO prune_events");
	store_exec(st, "RELEASE prune_events");
	*folded = 0;
	return -1;
}

int store_resume_run(struct store *st, int64_t run_id)
{
	return store_run_once(st->db, NULL, NULL, "UPDATE runs SET stopped = NULL WHERE id = ?", "i", run_id) ==
	       SQLITE_DONE ? 0 : -1;
}

static int has_probe_table(struct store *st)
{
	return store_query_int(st->db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'probe_pauses'") > 0;
}

int store_probe_pause_begin(struct store *st, int64_t run_id, const char *workload, double t_start)
{
	if (!st)
		return -1;
	if (!has_probe_table(st))
		return STORE_NO_TABLE;
	return store_run_once(st->db, NULL, NULL, "INSERT OR REPLACE INTO probe_pauses(run_id, workload, t_start, t_end)"
			" VALUES (?, ?, ?, NULL)", "itd", run_id, workload, t_start) == SQLITE_DONE ? 0 : -1;
}

int store_probe_pause_end(struct store *st, int64_t run_id, const char *workload, double t_start, double t_end)
{
	if (!st)
		return -1;
	if (!has_probe_table(st))
		return STORE_NO_TABLE;
	return store_run_once(st->db, NULL, NULL, "UPDATE probe_pauses SET t_end = ? WHERE run_id = ? AND workload = ?"
			" AND t_start = ?", "ditd", t_end, run_id, workload, t_start) == SQLITE_DONE ? 0 : -1;
}

int store_probe_close_open(struct store *st, int64_t run_id)
{
	if (!st)
		return -1;
	if (!has_probe_table(st))
		return STORE_NO_TABLE;
	return store_run_once(st->db, NULL, NULL, "UPDATE probe_pauses SET t_end = MAX(t_start, COALESCE("
			"(SELECT MAX(t) FROM ticks WHERE run_id = ?1), t_start)) WHERE run_id = ?1 AND t_end IS NULL",
			"i", run_id) == SQLITE_DONE ? 0 : -1;
}
