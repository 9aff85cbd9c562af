/* Binding a statement's parameters where C's missing values are SQL's
 * NULL: a NAN number, a NULL or empty string. */
#ifndef GS_DB_BIND_H
#define GS_DB_BIND_H

#include <math.h>

#include <sqlite3.h>

static inline void sql_bind_num(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static inline void sql_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

#endif
