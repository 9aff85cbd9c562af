#ifndef GS_EMBEDDED_H
#define GS_EMBEDDED_H

struct embedded_sql {
	const char *name;
	const char *text;
};

/* db/migrations/NNNN-*.sql in order; ends with { 0, 0 }. Migration i
 * takes the database from user_version i to i+1. */
extern const struct embedded_sql gs_migrations[];

/* db/views/NAME.sql in name order, one CREATE VIEW NAME each (db/views.h);
 * ends with { 0, 0 }. */
extern const struct embedded_sql gs_views[];

#endif
