/* The Prometheus text exposition of a gemsoak database (export's
 * gemsoak.prom): one family per gemsoak metric in base units, the verdict
 * of each as a state set, the run's cycles, anomalies and worker deaths
 * as counters, the time of the newest sample. The families are listed in
 * gemsoak(1). */
#ifndef GS_CLI_PROMETHEUS_H
#define GS_CLI_PROMETHEUS_H

#include <stdio.h>

#include <sqlite3.h>

/* Write the newest run of db to f. Returns the number of gemsoak metrics
 * written (0: no run or no sample yet), or -1 after a message. */
int prometheus_write(sqlite3 *db, FILE *f);

#endif
