/* gemsoak's views (leak_trends and what it reads, the anomalies, the
 * rollups by width) are code, not schema: each is a file db/views/NAME.sql
 * holding one CREATE VIEW NAME, embedded at build time, and every opening
 * of a database puts this gemsoak's definitions in place, so a database
 * made by any earlier gemsoak is judged by today's detector. Migrations
 * create and alter tables only. */
#ifndef GS_DB_VIEWS_H
#define GS_DB_VIEWS_H

#include <stddef.h>

struct sqlite3;

/* Migrations up to this schema version created and dropped views
 * themselves, so they run with the views of their day; later ones run
 * with none (ALTER TABLE checks every view that reads the table). */
#define VIEWS_LAST_MIGRATION_WITH_VIEWS 8

/* Drop every view gemsoak owns (db/views, and those it used to create)
 * from the main schema, in the caller's transaction. 0, or -1 (the
 * reason in sqlite3_errmsg). */
int views_drop(struct sqlite3 *db);

/* Whether the main schema holds every view of db/views exactly as this
 * gemsoak defines it: 1 yes, 0 no, -1 when it cannot be read. Reads only. */
int views_current(struct sqlite3 *db);

/* For a writer: unless they already are today's, drop every view gemsoak
 * owns and create each from db/views, in one transaction. 0, or -1 with
 * err filled ("views: reason") and the database as it was. */
int views_install(struct sqlite3 *db, char *err, size_t errlen);

/* For a reader that must not write: unless the main schema's views are
 * today's, create each as a TEMP view of this connection, which hides the
 * main one of the same name; the file is not touched. 0 when today's
 * views are in place; 1 when the file's schema version is not this
 * gemsoak's (its tables are older or newer than what today's views read):
 * its own views are left to judge it; -1 with err filled. */
int views_install_temp(struct sqlite3 *db, char *err, size_t errlen);

/* For a reader of a file whose schema is older than this gemsoak's (its
 * own views kept, views_install_temp gave 1): each view of db/views the
 * file lacks altogether (a view added since, such as lateness) as a TEMP
 * view, where the file's tables can serve it; the others stay absent.
 * After any TEMP views the reader puts in front of the file's tables.
 * 0, or -1 when a definition cannot be read. */
int views_add_missing_temp(struct sqlite3 *db);

/* Create today's view NAME of db/views as a TEMP view of this connection
 * (after dropping this connection's own TEMP one), whatever the file
 * holds: for a reader that put TEMP tables in front of the file's (a
 * TEMP view reads them first). 0, or -1 with err filled. */
int views_temp_one(struct sqlite3 *db, const char *name, char *err, size_t errlen);

#endif
