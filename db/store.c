#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db/embedded.h"
#include "db/store.h"
#include "db/views.h"

/* How long a write waits for another writer's lock (see store_open_flags). */
#define BUSY_TIMEOUT_MS 250
/* The WAL's bound in bytes: about 1000 pages, SQLite's auto-checkpoint. */
#define WAL_LIMIT_BYTES 4194304
#define GS_STR_(x) #x
#define GS_STR(x) GS_STR_(x)

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

static int exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Prepare sql, bind the arguments after types (one letter each: 'i'
 * int64_t, 'd' double, 't' const char *, NULL binding NULL), step it once,
 * hand a row to row(s, arg) when there is one, and finalize it. Returns
 * the step's SQLITE_DONE or SQLITE_ROW (SQLITE_NOMEM when row fails), or
 * -1 when sql does not prepare. */
static int run_once(sqlite3 *db, int (*row)(sqlite3_stmt *s, void *arg), void *arg,
		    const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	va_list ap;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
		else if (types[i] == 'd')
			sqlite3_bind_double(s, i + 1, va_arg(ap, double));
		else
			sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && row && row(s, arg))
		rc = SQLITE_NOMEM;
	sqlite3_finalize(s);
	return rc;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* run_once's row: the first column as an integer. */
static int int_row(sqlite3_stmt *s, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 0;
}

/* The integer a one-value query returns; -1 when it fails. */
static int64_t query_int(sqlite3 *db, const char *sql)
{
	int64_t v = -1;
	run_once(db, int_row, &v, sql, "");
	return v;
}

int store_schema_version(struct store *st)
{
	return (int)query_int(st->db, "PRAGMA user_version");
}

int store_known_version(void)
{
	int known = 0;
	while (gs_migrations[known].name)
		known++;
	return known;
}

int store_check_owner(sqlite3 *db, char *why, size_t whylen)
{
	int64_t app = query_int(db, "PRAGMA application_id");
	int64_t version = query_int(db, "PRAGMA user_version");
	int64_t objects = query_int(db, "SELECT COUNT(*) FROM sqlite_master");
	if (app < 0 || version < 0 || objects < 0) {
		int code = sqlite3_errcode(db) & 0xff;
		if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN)
			snprintf(why, whylen, "cannot open it for writing: %s (no write access to it or to its"
				 " directory?)", sqlite3_errmsg(db));
		else
			snprintf(why, whylen, "cannot read it as a SQLite database: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (app == GS_APPLICATION_ID)
		return 1;
	if (app != 0) {
		snprintf(why, whylen, "not a gemsoak database (application_id 0x%08llx is another"
			 " application's); left untouched", (unsigned long long)(uint32_t)app);
		return -1;
	}
	if (objects == 0 && version == 0)
		return 0;
	/* Written before schema 5 set the application_id: its tables say. */
	int64_t ours = query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN"
				 " ('runs', 'metrics', 'ticks', 'samples', 'events')");
	if (version >= 1 && ours == 5)
		return 1;
	snprintf(why, whylen, "not a gemsoak database (user_version %lld, %lld schema object(s),"
		 " no gemsoak application_id); left untouched", (long long)version, (long long)objects);
	return -1;
}

/* Apply each migration the database has not seen, each in its own
 * transaction together with the user_version bump; then put today's views
 * in place (db/views.h). */
static int migrate(struct store *st, char *err, size_t errlen)
{
	int have = store_schema_version(st);
	int known = store_known_version();
	if (have < 0) {
		/* Say, a filesystem without shared mmap (9p) for WAL's -shm. */
		snprintf(err, errlen, "cannot read the schema version: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	if (have > known) {
		snprintf(err, errlen, "database schema version %d is newer than this gemsoak (%d)",
			 have, known);
		return -1;
	}
	for (int v = have; v < known; v++) {
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;", v + 1);
		if (exec(st, "BEGIN IMMEDIATE") || (v >= VIEWS_LAST_MIGRATION_WITH_VIEWS && views_drop(st->db)) ||
		    exec(st, gs_migrations[v].text) || exec(st, bump) || exec(st, "COMMIT")) {
			snprintf(err, errlen, "migration %s: %s", gs_migrations[v].name,
				 sqlite3_errmsg(st->db));
			exec(st, "ROLLBACK");
			return -1;
		}
	}
	return views_install(st->db, err, errlen);
}

static int prepare(struct store *st, sqlite3_stmt **s, const char *sql)
{
	return sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) == SQLITE_OK ? 0 : -1;
}

/* The byte the daemon's lock covers: just past SQLite's own lock bytes
 * (the pending byte at 1 GiB, the reserved byte and 510 shared bytes),
 * so readers' and writers' SQLite locks never meet it. */
#define GS_LOCK_BYTE (0x40000000 + 0x200)

/* One writer per database: a second daemon would interleave its rounds
 * with the first's in the same run. An open-file-description lock on one
 * byte: apart from SQLite's locks (flock would be a whole-file lock on
 * NFS, blocking every reader), and not dropped when SQLite closes a
 * descriptor of the file. The descriptor stays open until store_close,
 * after SQLite's, since closing it drops this process's POSIX locks. */
static int lock_exclusive(struct store *st, const char *path, char *err, size_t errlen)
{
	st->lock_fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (st->lock_fd < 0) {
		snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
		return -1;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = GS_LOCK_BYTE, .l_len = 1 };
	if (fcntl(st->lock_fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		snprintf(err, errlen, "%s: in use by another gemsoakd (it holds the database's lock);"
			 " one daemon per database", path);
	else
		snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
	return -1;
}

int store_lock_held(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = GS_LOCK_BYTE, .l_len = 1 };
	int r = fcntl(fd, F_OFD_GETLK, &fl);
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : fl.l_type != F_UNLCK;
}

/* A file that is there and not empty must start with SQLite's header
 * before SQLite sees it: SQLite would read a -wal left next to it as its
 * own and, closing, write those pages into it. 0 or -1 with why. */
static int check_header(const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0; /* missing: SQLite creates it, or says why not */
	char head[16];
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	if (n == 0)
		return 0;
	if (n == (ssize_t)sizeof(head) && memcmp(head, "SQLite format 3", 16) == 0)
		return 0;
	snprintf(why, whylen, "not a SQLite database (no SQLite header); left untouched");
	return -1;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	return store_open_flags(path, 0, out, err, errlen);
}

int store_open_flags(const char *path, unsigned flags, struct store **out, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	st->lock_fd = -1;
	struct stat sb;
	char why[256];
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (check_header(path, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	/* Nothing is written before the file is known to be empty or ours. */
	if (store_check_owner(st->db, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	if ((flags & STORE_EXCLUSIVE) && lock_exclusive(st, path, err, errlen))
		goto fail;
	/* Another writer (sqlite3, the CLI) must never stall the daemon's
	 * event loop: after a short wait a refused round goes to the
	 * sampler's backlog and is written on a later round. */
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	/* Bound the page cache: the daemon runs for weeks on small machines. */
	sqlite3_exec(st->db, "PRAGMA cache_size = -1024", NULL, NULL, NULL);
	/* Statement journals (every sample insert fires the rollup trigger
	 * inside the round's transaction) stay in memory, not in temp files. */
	sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	/* A WAL that a long reader let grow is cut back to this once it is
	 * checkpointed and reset; without it the file keeps its peak size. */
	sqlite3_exec(st->db, "PRAGMA journal_size_limit = " GS_STR(WAL_LIMIT_BYTES), NULL, NULL, NULL);
	char emsg[256] = "";
	if (exec(st, "PRAGMA journal_mode = WAL") || exec(st, "PRAGMA synchronous = NORMAL") ||
	    exec(st, "PRAGMA foreign_keys = ON")) {
		snprintf(emsg, sizeof(emsg), "%s", sqlite3_errmsg(st->db));
		snprintf(err, errlen, "%s: %s", path, emsg);
		goto fail;
	}
	if (migrate(st, emsg, sizeof(emsg))) {
		snprintf(err, errlen, "%s: %s", path, emsg);
		goto fail;
	}
	if (prepare(st, &st->ins_tick, "INSERT INTO ticks(run_id, t, cycles) VALUES (?, ?, ?)") ||
	    prepare(st, &st->ins_sample, "INSERT INTO samples(metric_id, tick_id, value) VALUES (?, ?, ?)") ||
	    prepare(st, &st->ins_event, "INSERT INTO events(run_id, t, severity, source, kind, message) VALUES (?, ?, ?, ?, ?, ?)") ||
	    prepare(st, &st->ins_metric, "INSERT OR IGNORE INTO metrics(name, unit) VALUES (?, ?)") ||
	    prepare(st, &st->sel_metric, "SELECT id FROM metrics WHERE name = ?")) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (snprintf(st->path, sizeof(st->path), "%s", path) < (int)sizeof(st->path) && stat(path, &sb) == 0) {
		st->dev = sb.st_dev;
		st->ino = sb.st_ino;
		snprintf(st->wal, sizeof(st->wal), "%s-wal", path);
	} else {
		st->path[0] = '\0'; /* not a plain file name: nothing to watch */
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

bool store_file_replaced(struct store *st)
{
	struct stat sb;
	if (!st)
		return true;
	if (!st->path[0])
		return false;
	if (stat(st->path, &sb) != 0)
		return errno == ENOENT;
	return sb.st_dev != st->dev || sb.st_ino != st->ino;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->ins_tick);
	sqlite3_finalize(st->ins_sample);
	sqlite3_finalize(st->ins_event);
	sqlite3_finalize(st->ins_metric);
	sqlite3_finalize(st->sel_metric);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st->ids);
	free(st);
}

sqlite3 *store_db(struct store *st)
{
	return st ? st->db : NULL;
}

const char *store_errmsg(struct store *st)
{
	if (!st)
		return "the database is not open";
	return st->error[0] ? st->error : sqlite3_errmsg(st->db);
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
	if (exec(st, sql)) {
		if (ok)
			keep_error(st);
		end_failed_transaction(st);
		return -1;
	}
	return ok ? 0 : -1;
}

int store_begin_run(struct store *st, double t, const struct run_info *ri, int64_t *run_id)
{
	if (exec(st, "SAVEPOINT begin_run"))
		return -1;
	int rc = run_once(st->db, NULL, NULL,
			  "INSERT INTO runs(started, hostname, kernel_release, kernel_version, device,"
			  " driver, capabilities, config_path, config_text, gemsoak_version)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "dttttttttt", t,
			  or_empty(ri->hostname), or_empty(ri->kernel_release), or_empty(ri->kernel_version),
			  or_empty(ri->device), or_empty(ri->driver), or_empty(ri->capabilities),
			  or_empty(ri->config_path), or_empty(ri->config_text), GS_VERSION);
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if (rc == SQLITE_DONE)
		rc = run_once(st->db, NULL, NULL, "INSERT INTO run_configs(run_id, t, config_text) VALUES (?, ?, ?)",
			      "idt", id, t, or_empty(ri->config_text));
	if (end_savepoint(st, "begin_run", rc == SQLITE_DONE))
		return -1;
	*run_id = id;
	return 0;
}

int store_run_config(struct store *st, int64_t run_id, double t, const char *text)
{
	if (!st || fs_readonly(st) || exec(st, "SAVEPOINT run_config"))
		return -1;
	bool ok = run_once(st->db, NULL, NULL, "UPDATE runs SET config_text = ? WHERE id = ?", "ti", text,
			   run_id) == SQLITE_DONE &&
		  run_once(st->db, NULL, NULL, "INSERT INTO run_configs(run_id, t, config_text) VALUES (?, ?, ?)",
			   "idt", run_id, t, text) == SQLITE_DONE;
	return end_savepoint(st, "run_config", ok);
}

int store_end_run(struct store *st, int64_t run_id, double t)
{
	if (!st)
		return -1;
	return run_once(st->db, NULL, NULL, "UPDATE runs SET stopped = ? WHERE id = ?", "di", t, run_id) ==
	       SQLITE_DONE ? 0 : -1;
}

int store_run_prop(struct store *st, int64_t run_id, const char *key, const char *value)
{
	if (!st)
		return -1;
	return run_once(st->db, NULL, NULL, "INSERT OR REPLACE INTO run_props(run_id, key, value) VALUES (?, ?, ?)",
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
	st->batch = exec(st, "BEGIN IMMEDIATE") == 0;
	return st->batch ? 0 : -1;
}

int store_batch_end(struct store *st)
{
	st->batch = 0;
	if (!exec(st, "COMMIT"))
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
	if (exec(st, st->batch ? "SAVEPOINT round" : "BEGIN IMMEDIATE")) {
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
	if (exec(st, st->batch ? "RELEASE round" : "COMMIT"))
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
	exec(st, st->batch ? "ROLLBACK TO round; RELEASE round" : "ROLLBACK");
	st->nids = 0; /* metrics inserted in this transaction are gone too */
	return for_good ? STORE_ROUND_REFUSED : -1;
}

int store_set_setting(struct store *st, const char *key, double value)
{
	return run_once(st->db, NULL, NULL, "INSERT OR REPLACE INTO trend_settings(key, value) VALUES (?, ?)",
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
	if (run_once(st->db, NULL, NULL, "DELETE FROM samples WHERE metric_id IN (SELECT id FROM metrics)"
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
	if (exec(st, "SAVEPOINT prune_events") || exec(st, "DROP TABLE IF EXISTS temp.prune_fold"))
		return -1;
	if (run_once(st->db, NULL, NULL, fold_sql, "di", before, (int64_t)keep) != SQLITE_DONE ||
	    exec(st, "CREATE INDEX temp.prune_fold_bucket ON prune_fold(bucket)"))
		goto fail;
	if (run_once(st->db, NULL, NULL,
		     "UPDATE events SET repeats = repeats + (SELECT SUM(f.repeats) FROM prune_fold f"
		     "  JOIN prune_fold g ON g.bucket = f.bucket WHERE g.id = events.id AND f.k > ?1 AND f.k <= f.n - ?1)"
		     " WHERE id IN (SELECT id FROM prune_fold WHERE k = n - ?1 + 1)", "i", (int64_t)keep) != SQLITE_DONE ||
	    run_once(st->db, NULL, NULL,
		     "DELETE FROM events WHERE id IN (SELECT id FROM prune_fold WHERE k > ?1 AND k <= n - ?1)",
		     "i", (int64_t)keep) != SQLITE_DONE)
		goto fail;
	*folded = sqlite3_changes(st->db);
	if (exec(st, "DROP TABLE temp.prune_fold") || exec(st, "RELEASE prune_events"))
		goto fail;
	return 0;
fail:
	keep_error(st);
	exec(st, "ROLLBACK TO prune_events");
	exec(st, "RELEASE prune_events");
	*folded = 0;
	return -1;
}

/* run_once's row: the last run's record into a struct run_tail. */
static int last_run_row(sqlite3_stmt *s, void *arg)
{
	struct run_tail *out = arg;
	const char *kr = (const char *)sqlite3_column_text(s, 3);
	const char *ct = (const char *)sqlite3_column_text(s, 4);
	out->id = sqlite3_column_int64(s, 0);
	out->started = sqlite3_column_double(s, 1);
	out->stopped = sqlite3_column_double(s, 2);
	snprintf(out->kernel_release, sizeof(out->kernel_release), "%s", kr ? kr : "");
	out->config_text = strdup(ct ? ct : "");
	out->last_t = sqlite3_column_double(s, 5);
	out->last_cycles = (uint64_t)sqlite3_column_int64(s, 6);
	const char *host = (const char *)sqlite3_column_text(s, 7);
	const char *dev = (const char *)sqlite3_column_text(s, 8);
	const char *boot = (const char *)sqlite3_column_text(s, 9);
	snprintf(out->hostname, sizeof(out->hostname), "%s", host ? host : "");
	snprintf(out->device, sizeof(out->device), "%s", dev ? dev : "");
	snprintf(out->boot_id, sizeof(out->boot_id), "%s", boot ? boot : "");
	out->merged = sqlite3_column_int(s, 10) != 0;
	out->clock_wall0 = sqlite3_column_double(s, 11);
	out->clock_boot0 = sqlite3_column_double(s, 12);
	return out->config_text ? 0 : -1;
}

int store_last_run(struct store *st, struct run_tail *out)
{
	memset(out, 0, sizeof(*out));
	int rc = run_once(st->db, last_run_row, out,
			  "SELECT r.id, r.started, COALESCE(r.stopped, 0), r.kernel_release, r.config_text,"
			  " COALESCE(k.t, 0), COALESCE(k.cycles, 0), r.hostname, r.device,"
			  " (SELECT value FROM run_props WHERE run_id = r.id AND key = 'boot_id'),"
			  " EXISTS (SELECT 1 FROM run_props WHERE run_id = r.id AND key = 'merged_from'),"
			  " (SELECT value FROM run_props WHERE run_id = r.id AND key = 'clock.wall0'),"
			  " (SELECT value FROM run_props WHERE run_id = r.id AND key = 'clock.boot0')"
			  " FROM runs r LEFT JOIN ticks k ON k.id ="
			  "  (SELECT MAX(id) FROM ticks WHERE run_id = r.id)"
			  " ORDER BY r.id DESC LIMIT 1", "");
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* run_once's row: the first column as text into a struct text_out. */
struct text_out {
	char *buf;
	size_t len;
};

static int text_row(sqlite3_stmt *s, void *arg)
{
	struct text_out *out = arg;
	if (sqlite3_column_text(s, 0))
		snprintf(out->buf, out->len, "%s", (const char *)sqlite3_column_text(s, 0));
	return 0;
}

int store_leaking_metrics(struct store *st, int64_t run_id, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!st)
		return -1;
	struct text_out out = { buf, len };
	return run_once(st->db, text_row, &out, "SELECT group_concat(name, ', ') FROM (SELECT m.name FROM verdicts v"
			" JOIN metrics m ON m.id = v.metric_id WHERE v.run_id = ? AND v.verdict = 'leaking' ORDER BY m.name)",
			"i", run_id) == SQLITE_ROW ? 0 : -1;
}

int store_progress(struct store *st, int64_t run_id, const char *findings, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!st)
		return -1;
	struct text_out out = { buf, len };
	return run_once(st->db, text_row, &out,
			"WITH v AS (SELECT m.name AS metric, x.verdict, x.span_s FROM verdicts x JOIN metrics m ON m.id = x.metric_id"
			"           WHERE x.run_id = ?1 AND x.scope = 'kernel' AND x.verdict <> 'not-assessed'),"
			" wait AS (SELECT (SELECT MIN(min_span_s) FROM trend_thresholds) - COALESCE(MAX(span_s), 0) AS s FROM v)"
			" SELECT CASE WHEN ?2 <> '' THEN 'findings: ' || ?2"
			"   || COALESCE('; over bound: ' || (SELECT group_concat(metric, ', ') FROM v"
			"                                    WHERE verdict = 'over-bound'), '')"
			"  ELSE 'leaking: ' || COALESCE((SELECT group_concat(metric, ', ') FROM v"
			"                                WHERE verdict IN ('leaking', 'over-bound')), 'none so far') END"
			"  || '; ' || (SELECT COUNT(*) FROM v WHERE verdict = 'insufficient-data') || ' undecided'"
			"  || CASE WHEN wait.s > 0 THEN '; first verdicts in ' || CAST(wait.s AS INTEGER) || ' s' ELSE '' END"
			" FROM wait", "it", run_id, findings) == SQLITE_ROW ? 0 : -1;
}

int store_resume_run(struct store *st, int64_t run_id)
{
	return run_once(st->db, NULL, NULL, "UPDATE runs SET stopped = NULL WHERE id = ?", "i", run_id) ==
	       SQLITE_DONE ? 0 : -1;
}

static int has_probe_table(struct store *st)
{
	return query_int(st->db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'probe_pauses'") > 0;
}

int store_probe_pause_begin(struct store *st, int64_t run_id, const char *workload, double t_start)
{
	if (!st)
		return -1;
	if (!has_probe_table(st))
		return STORE_NO_TABLE;
	return run_once(st->db, NULL, NULL, "INSERT OR REPLACE INTO probe_pauses(run_id, workload, t_start, t_end)"
			" VALUES (?, ?, ?, NULL)", "itd", run_id, workload, t_start) == SQLITE_DONE ? 0 : -1;
}

int store_probe_pause_end(struct store *st, int64_t run_id, const char *workload, double t_start, double t_end)
{
	if (!st)
		return -1;
	if (!has_probe_table(st))
		return STORE_NO_TABLE;
	return run_once(st->db, NULL, NULL, "UPDATE probe_pauses SET t_end = ? WHERE run_id = ? AND workload = ?"
			" AND t_start = ?", "ditd", t_end, run_id, workload, t_start) == SQLITE_DONE ? 0 : -1;
}

int store_probe_close_open(struct store *st, int64_t run_id)
{
	if (!st)
		return -1;
	if (!has_probe_table(st))
		return STORE_NO_TABLE;
	return run_once(st->db, NULL, NULL, "UPDATE probe_pauses SET t_end = MAX(t_start, COALESCE("
			"(SELECT MAX(t) FROM ticks WHERE run_id = ?1), t_start)) WHERE run_id = ?1 AND t_end IS NULL",
			"i", run_id) == SQLITE_DONE ? 0 : -1;
}
