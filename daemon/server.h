/* gemsoakd's event loop: one libevent base carries the signals (stop,
 * child exits), the sample timer, the workers' report sockets, the
 * systemd watchdog and the optional --duration timer. */
#ifndef GS_SERVER_H
#define GS_SERVER_H

#include <stdbool.h>

#include "daemon/config.h"
#include "device/device.h"

#define GS_EXIT_CANTCREAT 73 /* EX_CANTCREAT: the database */
#define GS_EXIT_OSERR 71     /* EX_OSERR: fork, event loop */

struct server_options {
	double duration_s;   /* stop after this long; 0 = until SIGTERM */
	bool new_run;        /* never continue the database's last run */
};

/* Hold SIGTERM, SIGINT and SIGHUP (first thing in main): one during
 * start-up must neither kill the daemon by its default action nor leave a
 * half-made database; server_run lets its event loop take them. */
void server_hold_signals(void);

/* Run the daemon with a validated config on a probed device; returns the
 * process exit status. */
int server_run(const struct gs_config *cfg, const struct gs_device *dev,
	       const struct server_options *opt);

#endif
