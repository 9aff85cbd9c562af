/* The run's bookkeeping: which run the daemon records into, and its
 * start. Runs go on across restarts: a daemon restart continues the
 * database's last run (a `gap` event records the outage) when it is on
 * the same host, device and boot (the kernel's counters go on only
 * there), with the same kernel release and config text, was not merged
 * in from another database, and the user did not ask for a new run.
 * Counters restart at zero in a new process, so a continued run's cycles
 * carry on from its last tick. A database file removed or replaced under
 * the daemon is opened anew, in a new run. */
#ifndef GS_RUN_BOOK_H
#define GS_RUN_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/run-clock.h"

struct server;

struct run_book {
	int64_t id;
	uint64_t cycles_base;       /* a continued run's cycles before this start */
	struct run_clock clock;     /* the run's own time (daemon/run-clock.h) */
	int64_t replaced;           /* the run of the file closed because it was replaced */
	char reopen_error[1024];    /* the last failure to open a replaced file, said once */
};

/* Continue the database's last run or begin one (always a new one when
 * force_new), with its gap or new-run event, its facts and its run-start
 * event in one transaction. 0, or -1 (said) when the store cannot be
 * written. */
int run_book_begin(struct server *s, bool force_new);

/* The database file removed or replaced while the daemon runs: close it,
 * open the path anew and go on there in a new run (a store-replaced
 * warning). Nothing when the file is still there. */
void run_book_reopen_if_replaced(struct server *s);

#endif
