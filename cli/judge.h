/* The verdicts of runs no daemon is updating, judged by the CLI with the
 * daemon's engine (analysis/verdicts.h) before a command reads
 * leak_trends: a run recorded by an older gemsoak, a merged or synthetic
 * one, one whose daemon stopped before its final judgement, one judged
 * with thresholds edited since. */
#ifndef GS_CLI_JUDGE_H
#define GS_CLI_JUDGE_H

#include <sqlite3.h>

/* Bring the verdicts of db's stale runs (gs_stale_runs) up to date for
 * this connection. db is the reader's read-only connection to path; held
 * says whether a daemon holds the file's lock (store_lock_held, tested
 * before db was opened; -1: cannot be told): its run, the newest, is
 * then the daemon's to judge, unless it has no verdicts of today's basis
 * at all. Where this process owns the file and may write it (and it is
 * not read immutable), the verdicts are stored in it; otherwise, or when
 * storing fails, they are judged into TEMP tables verdicts and
 * verdict_basis of this connection, which a TEMP leak_trends reads. A
 * file older than schema 9 (no verdicts table) keeps its own views. 0,
 * or -1 with err filled. */
int cli_judge_stale(sqlite3 *db, const char *path, int held, char *err, size_t errlen);

#endif
