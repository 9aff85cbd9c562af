/* Whether the daemon that writes a database is alive, stopped or crashed,
 * for `gemsoak status`: told from the database's lock (a live gemsoakd
 * holds an open-file-description lock on it, db/store.h) and from what the
 * newest run recorded (a clean stop writes runs.stopped). */
#ifndef GS_CLI_DAEMON_STATE_H
#define GS_CLI_DAEMON_STATE_H

#include <stdbool.h>
#include <sys/types.h>

struct daemon_lock {
	int held;   /* 1 held, 0 not, -1 cannot be told (errno_ says why) */
	int errno_;
	pid_t pid;  /* the process holding it; 0 when unknown (another user's, say) */
};

/* Test PATH's lock and look for its holder in /proc. Call it before any
 * SQLite connection to PATH is opened (see store_lock_held). */
void daemon_lock_probe(const char *path, struct daemon_lock *l);

#endif
