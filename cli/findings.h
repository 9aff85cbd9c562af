/* A run's findings (analysis/findings-store.h) for the commands that lead
 * with them (findings, status, report, gate, export): put into the TEMP
 * table run_findings of the reader's connection, so that each prints it
 * with its own query and format. */
#ifndef GS_CLI_FINDINGS_H
#define GS_CLI_FINDINGS_H

#include <stdint.h>

#include <sqlite3.h>

/* Fill temp.run_findings (created, or emptied) with run's findings: id,
 * workload, holder, per_kcycle, per_hour (in unit), per_hour_words
 * ("+2.76k/h", "+3.15 MiB/h"), unit, lead_metric, metrics, nmetrics,
 * onset_s (seconds after the run's start), confidence, attribution,
 * summary, next, and where the run traced the origin of the finding's
 * objects (analysis/finding-origin.h), origin (the sentence) and
 * origin_line ("made at a ← b ← c ← d"), else NULL. The number of
 * findings, or -1 after a message naming the command. */
int cli_load_findings(sqlite3 *db, int64_t run);

/* Register on db the SQL functions words_rate(V, UNIT) ("+3.15 MiB/h")
 * and words_qty(V, UNIT) ("3.15 MiB", "2.76k") of analysis/units.h, for
 * the commands' queries. 0, or -1 after a message. */
int cli_words_functions(sqlite3 *db);

/* Print each finding of temp.run_findings for people: its summary, its
 * figures, where its objects were made (when traced), its metrics and
 * what to do next, numbered. The number
 * printed, or -1 after a message. */
int cli_print_findings(sqlite3 *db);

#endif
