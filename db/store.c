/* The store's opening: check whose the file is, lock it, set the
 * connection up, migrate it and put the views in place; and its closing.
 * Run once per process (the daemon, each CLI command), so it checks
 * everything and prepares the write path's statements for the life of
 * the connection; a few helpers every part of the store uses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db/embedded.h"
#include "db/store-internal.h"
#include "db/store.h"
#include "db/views.h"

#define GS_STR_(x) #x
#define GS_STR(x) GS_STR_(x)

int store_exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int store_run_once(sqlite3 *db, int (*row)(sqlite3_stmt *s, void *arg), void *arg,
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

/* store_run_once's row: the first column as an integer. */
static int int_row(sqlite3_stmt *s, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 0;
}

int64_t store_query_int(sqlite3 *db, const char *sql)
{
	int64_t v = -1;
	store_run_once(db, int_row, &v, sql, "");
	return v;
}

int store_schema_version(struct store *st)
{
	return (int)store_query_int(st->db, "PRAGMA user_version");
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
	int64_t app = store_query_int(db, "PRAGMA application_id");
	int64_t version = store_query_int(db, "PRAGMA user_version");
	int64_t objects = store_query_int(db, "SELECT COUNT(*) FROM sqlite_master");
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
	int64_t ours = store_query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN"
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
		if (store_exec(st, "BEGIN IMMEDIATE") || (v >= VIEWS_LAST_MIGRATION_WITH_VIEWS && views_drop(st->db)) ||
		    store_exec(st, gs_migrations[v].text) || store_exec(st, bump) || store_exec(st, "COMMIT")) {
			snprintf(err, errlen, "migration %s: %s", gs_migrations[v].name,
				 sqlite3_errmsg(st->db));
			store_exec(st, "ROLLBACK");
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
	if (store_exec(st, "PRAGMA journal_mode = WAL") || store_exec(st, "PRAGMA synchronous = NORMAL") ||
	    store_exec(st, "PRAGMA foreign_keys = ON")) {
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
