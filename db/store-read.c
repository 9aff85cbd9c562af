/* The store's reads for the daemon: the last run at start, the leaking
 * metrics at a leak guard's stop, the progress line every [daemon]
 * progress. Rare (a minute apart at most), so each statement is prepared
 * when it runs and nothing is cached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db/store-internal.h"
#include "db/store.h"

/* store_run_once's row: the last run's record into a struct run_tail. */
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
	int rc = store_run_once(st->db, last_run_row, out,
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

/* store_run_once's row: the first column as text into a struct text_out. */
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
	return store_run_once(st->db, text_row, &out, "SELECT group_concat(name, ', ') FROM (SELECT m.name FROM verdicts v"
			" JOIN metrics m ON m.id = v.metric_id WHERE v.run_id = ? AND v.verdict = 'leaking' ORDER BY m.name)",
			"i", run_id) == SQLITE_ROW ? 0 : -1;
}

int store_progress(struct store *st, int64_t run_id, const char *findings, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!st)
		return -1;
	struct text_out out = { buf, len };
	return store_run_once(st->db, text_row, &out,
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
