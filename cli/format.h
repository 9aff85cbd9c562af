/* What a command prints, in the format asked (cli.h enum cli_format): the
 * table for people, or one JSON object, or CSV rows, for scripts. The
 * shapes are versioned (CLI_FORMAT_VERSION) and documented in gemsoak(1),
 * JSON AND CSV OUTPUT: a new key may be added within a version; a key
 * removed, renamed or changed in meaning takes a new version.
 *
 * A command calls cli_doc_begin, then any cli_doc_* in order, then
 * cli_doc_end. In table form only cli_doc_rows prints (as cli_print_table);
 * in CSV only the command's main rows do (primary true). */
#ifndef GS_CLI_FORMAT_H
#define GS_CLI_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cli/cli.h"

#define CLI_FORMAT_VERSION 1

/* JSON: {"format_version":1,"command":NAME */
void cli_doc_begin(const struct cli *c);
/* JSON: ,"KEY":V (a string; NULL: null) */
void cli_doc_str(const struct cli *c, const char *key, const char *v);
void cli_doc_int(const struct cli *c, const char *key, int64_t v);
/* JSON: ,"KEY":{column: value, ...} of the statement's current row (one
 * that sqlite3_step returned SQLITE_ROW for). Prints nothing else. */
void cli_doc_row(const struct cli *c, const char *key, sqlite3_stmt *s);
/* Step s to the end: JSON ,"KEY":[{...}, ...]; CSV (primary only) a
 * header and the rows; table form cli_print_table. The number of rows,
 * or -1 after a message. */
int cli_doc_rows(const struct cli *c, const char *key, sqlite3_stmt *s, bool primary);
/* JSON: }\n */
void cli_doc_end(const struct cli *c);

/* Whether the command prints for people (plain lines and notes go then). */
static inline bool cli_human(const struct cli *c)
{
	return c->format == CLI_TABLE;
}

#endif
