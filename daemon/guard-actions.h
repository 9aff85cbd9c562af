/* The leak guard's actions. daemon/leak-guard.c decides from the
 * readings; this acts on it: reads usable memory, stops the workloads
 * below the floor and says what the watched counters and the verdicts
 * were, says in the next round what the stop freed, starts the workloads
 * again above the resume level, and answers what the watch thread
 * (daemon/leak-watch.c) froze while the loop was busy. */
#ifndef GS_GUARD_ACTIONS_H
#define GS_GUARD_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/leak-guard.h"

struct leak_watch;
struct server;

struct guard_actions {
	struct leak_guard state;    /* levels and whether it stopped the workloads */
	bool meminfo_failed;        /* said once */
	bool measure;               /* the round after a stop says what it freed */
	int64_t avail_kb;           /* usable memory at the stop */
	double before[8];           /* the watched counters at the stop */
	struct leak_watch *watch;   /* memory read while the loop is busy */
	int watch_fd;               /* readable when the watch froze the workers */
};

/* Lower the daemon's OOM score, set the guard's levels from the config
 * and start its watch thread (a warning when there is none). */
void guard_actions_init(struct server *s);

/* A guard round: stop the workloads below the floor, start them again
 * above the resume level. */
void guard_actions_round(struct server *s);

/* The watch woke the loop: say what it froze, then a guard round; the
 * frozen workers go on when the guard did not stop them. */
void guard_actions_watch(struct server *s);

/* The guard's part of a sampling round, after its tick. */
void guard_actions_sample(struct server *s);

/* Tell the watch which processes a freeze stops: the workers as they are
 * now (those started since are stopped by the loop itself). */
void guard_actions_publish(struct server *s);

/* Stop the watch thread. */
void guard_actions_free(struct guard_actions *g);

#endif
