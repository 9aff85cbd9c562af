/* JSON and CSV output (cli/format.h). Numbers are printed as SQLite holds
 * them: integers exactly, reals in the fewest digits that read back the
 * same double; NaN and Inf (never in JSON) as null, or empty in CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/format.h"

static void print_real(double v)
{
	char buf[32];
	if (v == 0)
		v = 0; /* no "-0" */
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, stdout);
}

static void json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_key(const char *key)
{
	putchar(',');
	json_string(key);
	putchar(':');
}

static void json_value(sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		printf("%lld", (long long)sqlite3_column_int64(s, i));
		break;
	case SQLITE_FLOAT: {
		double v = sqlite3_column_double(s, i);
		if (isfinite(v))
			print_real(v);
		else
			fputs("null", stdout);
		break;
	}
	case SQLITE_NULL:
		fputs("null", stdout);
		break;
	default:
		json_string((const char *)sqlite3_column_text(s, i));
	}
}

static void json_object(sqlite3_stmt *s)
{
	putchar('{');
	for (int i = 0; i < sqlite3_column_count(s); i++) {
		if (i)
			putchar(',');
		json_string(sqlite3_column_name(s, i));
		putchar(':');
		json_value(s, i);
	}
	putchar('}');
}

/* RFC 4180: a field with a comma, quote or line break is quoted, its
 * quotes doubled. */
static void csv_field(const char *v)
{
	bool quote = false;
	for (const char *p = v; *p; p++)
		quote |= *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
	if (!quote) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	putchar('"');
}

static void csv_row(sqlite3_stmt *s, bool header)
{
	for (int i = 0; i < sqlite3_column_count(s); i++) {
		if (i)
			putchar(',');
		if (header) {
			csv_field(sqlite3_column_name(s, i));
		} else if (sqlite3_column_type(s, i) == SQLITE_FLOAT) {
			double v = sqlite3_column_double(s, i);
			if (isfinite(v))
				print_real(v);
		} else {
			const char *v = (const char *)sqlite3_column_text(s, i);
			csv_field(v ? v : "");
		}
	}
	fputs("\r\n", stdout);
}

void cli_doc_begin(const struct cli *c)
{
	if (c->format != CLI_JSON)
		return;
	printf("{\"format_version\":%d,\"command\":", CLI_FORMAT_VERSION);
	json_string(c->cmd->name);
}

void cli_doc_str(const struct cli *c, const char *key, const char *v)
{
	if (c->format != CLI_JSON)
		return;
	json_key(key);
	if (v)
		json_string(v);
	else
		fputs("null", stdout);
}

void cli_doc_int(const struct cli *c, const char *key, int64_t v)
{
	if (c->format != CLI_JSON)
		return;
	json_key(key);
	printf("%lld", (long long)v);
}

void cli_doc_row(const struct cli *c, const char *key, sqlite3_stmt *s)
{
	if (c->format != CLI_JSON)
		return;
	json_key(key);
	json_object(s);
}

int cli_doc_rows(const struct cli *c, const char *key, sqlite3_stmt *s, bool primary)
{
	if (c->format == CLI_TABLE)
		return cli_print_table(s);
	bool print = c->format == CLI_JSON || primary;
	int rc, rows = 0;
	if (c->format == CLI_JSON) {
		json_key(key);
		putchar('[');
	} else if (print) {
		csv_row(s, true);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (c->format == CLI_JSON) {
			if (rows)
				putchar(',');
			json_object(s);
		} else if (print) {
			csv_row(s, false);
		}
		rows++;
	}
	if (c->format == CLI_JSON)
		putchar(']');
	if (rc != SQLITE_DONE) {
		cli_error("%s", sqlite3_errmsg(sqlite3_db_handle(s)));
		return -1;
	}
	return rows;
}

void cli_doc_end(const struct cli *c)
{
	if (c->format == CLI_JSON)
		fputs("}\n", stdout);
}
