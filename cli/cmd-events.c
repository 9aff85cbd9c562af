/* gemsoak events: what happened (worker deaths, restarts, gaps, sources
 * lost), oldest first. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "common/util.h"

/* --since: a duration ago ("2h") or a date SQLite reads ("2026-11-20 08:00"). */
static int since_time(sqlite3 *db, const char *arg, double *t)
{
	int64_t ms;
	if (parse_duration_ms(arg, 0, INT64_MAX / 2, &ms)) {
		*t = now_realtime() - (double)ms / 1000.0;
		return 0;
	}
	sqlite3_stmt *s = cli_prepare(db, "SELECT unixepoch(?)");
	int ok = 0;
	if (s) {
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
		ok = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
		if (ok)
			*t = sqlite3_column_double(s, 0);
		sqlite3_finalize(s);
	}
	if (!ok)
		cli_error("--since: '%s' is neither a duration (2h, 30m) nor a date (2026-11-20 08:00, UTC)", arg);
	return ok ? 0 : -1;
}

static int events_exec(struct cli *c)
{
	const char *since_arg = cli_opt(c, "since"), *run_arg = cli_opt(c, "run");
	int r;
	double since = -1e18;
	int64_t run = 0;
	sqlite3 *db = run_arg ? cli_open_run(c, run_arg, &run) : cli_open(c, false);
	if (!db || (since_arg && since_time(db, since_arg, &since))) {
		sqlite3_close(db);
		return CMD_ERROR;
	}
	sqlite3_stmt *s = cli_prepare(db,
		"SELECT datetime(t, 'unixepoch') AS time, run_id AS run, severity, source, kind,"
		" message || CASE WHEN repeats > 1 THEN ' (×' || repeats || ')' ELSE '' END AS message, repeats"
		" FROM events WHERE t >= ?1 AND (?2 = 0 OR run_id = ?2) ORDER BY t, id");
	if (s) {
		sqlite3_bind_double(s, 1, since);
		sqlite3_bind_int64(s, 2, run);
	}
	cli_doc_begin(c);
	r = s ? cli_doc_rows(c, "events", s, true) : -1;
	cli_doc_end(c);
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (r == 0 && cli_human(c))
		printf("no event\n");
	return r < 0 ? CMD_ERROR : CMD_OK;
}

static const struct cmd_option events_options[] = {
	{ .name = "since", .letter = 's', .arg = "WHEN", .help = "events after WHEN: a time ago (2h) or a UTC date" },
	{ .name = "run", .letter = 'r', .arg = "N", .help = "only run N (default: every run)" },
	{ NULL },
};

const struct cmd_entry cmd_events = {
	.name = "events",
	.summary = "List the recorded events (worker deaths, gaps, ...)",
	.flags = CMD_DATABASE | CMD_FORMATS,
	.options = events_options,
	.exec = events_exec,
};
