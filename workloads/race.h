/* The race workloads' harness: in each process, one main thread and
 * `threads` racer threads meet at a barrier every cycle; the main thread
 * prepares an object, all start together, the main thread closes while the
 * racers use it, and they meet again before the main thread checks. */
#ifndef GS_RACE_H
#define GS_RACE_H

#include <pthread.h>

#include "workloads/layout.h"

#define RACE_MAX_THREADS 32

#define RACE_KEYS \
	{ "processes", WK_INT, 1, 64, 1, "independent racing processes" }, \
	{ "threads", WK_INT, 1, RACE_MAX_THREADS, 2, "racer threads per process (besides the closing one)" }, \
	{ "objects", WK_INT, 1, 1, 1, "objects raced per cycle (always 1: the race is on one object)" }, \
	{ "close_delay_us", WK_INT, 0, 100000, 0, "the main thread closes after a seeded 0..N us, so the close lands inside the racers' ioctls" }, \
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK

struct race {
	struct wl_proc *p;
	int fd;                 /* the main thread's file */
	int mode;               /* which race this cycle runs (seeded) */
	uint32_t handle, name;  /* the object of the cycle */
	uint32_t decoy;         /* flink-close-race: another named object, or 0 */
	int dmabuf;
	uint32_t seq;
	pthread_barrier_t start, end;
	/* Per racer: its own file when the race wants one (else fd). */
	int racer_fd[RACE_MAX_THREADS];
};

struct race_ops {
	int modes;
	bool racers_own_file;
	/* Main thread: prepare the cycle's new object (r->handle), e.g. export
	 * or flink it; false to skip the cycle (the harness closes it). */
	bool (*prepare)(struct race *r);
	/* Racer thread `i`, while the main thread closes. */
	void (*race)(struct race *r, int i);
	/* Main thread, right after its close, while the racers may still
	 * be at work (optional). */
	void (*after_close)(struct race *r);
	/* Main thread, after the racers are done (optional). */
	void (*finish)(struct race *r);
};

/* The racing processes are independent: no channels. */
#define RACE_PROCESSES .nprocs = race_nprocs, .setup = race_setup, .fds = race_fds, \
	.teardown = layout_teardown
int race_nprocs(const struct wl_config *cfg);
void *race_setup(const struct wl_config *cfg);
int race_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max);

/* Runs the harness until the workload's duration ends. */
void race_run(struct wl_proc *p, const struct race_ops *ops) __attribute__((noreturn));
/* GEM_CLOSE of the cycle's handle, racing: 0 or EINVAL are fine. */
void race_close(struct race *r, int fd, uint32_t handle, const char *step);

#endif
