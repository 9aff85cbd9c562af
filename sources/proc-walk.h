/* The one walk over the processes of procfs that the sources looking for
 * who holds what share (sources/holders.c: dma-bufs by inode,
 * sources/fdinfo.c: DRM files, sources/fences.c: dma-buf and sync_file
 * fds). It runs at most once per sampling round, on the first source that
 * asks, and is bounded:
 *  - the workers are visited every round;
 *  - the other processes within a budget of work per round
 *    (PROC_WALK_BUDGET units: one per fd looked at, per link read, per
 *    512 bytes of maps): first those that held something at their last
 *    visit or that debugfs dri/N/clients lists (at most half the budget),
 *    then the others, least recently visited first, so every process is
 *    visited in turn;
 *  - what each process held at its last visit is kept, so a process the
 *    budget did not reach this round counts with what it held when last
 *    seen: with more processes than one round's budget covers, a change
 *    in one shows some rounds late (the rounds a full turn takes:
 *    proc_walk_stats' oldest), never lost. A process gone from procfs is
 *    dropped at once; a pid reused by a new process (another start time,
 *    or another procfs inode) starts afresh.
 * Each fd costs one statx; its link is read only when statx cannot tell
 * (anon inodes other than dma-bufs, which share one inode, and files
 * statx may not look at) or, for a device matched by name (the kernel
 * model's sockets), when a socket is new since the last visit: a file
 * whose st_dev and st_ino are those of the last visit keeps its kind. */
#ifndef GS_SOURCES_PROC_WALK_H
#define GS_SOURCES_PROC_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sources/fences-parse.h"
#include "sources/sources.h"

#define PROC_WALK_MAX_PIDS 32768  /* processes kept track of (pid_max's default) */
#define PROC_WALK_MAX_FDS 4096    /* fds looked at in one process */
#define PROC_WALK_BUDGET 1024     /* work units per round, workers apart */

/* An fd worth keeping: a DRM file, a dma-buf or a sync_file; and, for a
 * device matched by name, the other sockets (FD_OTHER), so that their
 * links are not read again. */
struct walk_fd {
	int fd;
	enum fd_kind kind;
	uint64_t dev, ino;     /* the open file's, by statx */
	bool shared_inode;     /* an anon inode (every such file has it): never reused by inode */
};

/* A process as last visited. */
struct walk_proc {
	int pid;
	bool worker;           /* one of ctx->workers' pids this round */
	uint64_t start;        /* start time, /proc/PID/stat field 22 */
	uint64_t dir_ino;      /* procfs's inode of /proc/PID */
	unsigned long visited; /* the round of the last visit; 0: never */
	bool holder;           /* held a DRM file, dma-buf or sync_file at the last visit */
	bool drm_client;       /* debugfs dri/N/clients lists it this round */
	struct walk_fd *fds;   /* ascending fd numbers */
	size_t nfds;
	uint64_t *maps;        /* inodes of the dma-bufs it maps */
	size_t nmaps;
};

/* What the round's walk did. */
struct proc_walk_stats {
	unsigned long round;
	size_t procs;          /* in procfs (at most PROC_WALK_MAX_PIDS) */
	size_t visited;        /* this round */
	size_t never;          /* not visited yet */
	unsigned long oldest;  /* rounds since the least recent visit of a process */
	size_t statx, readlinks, units;
};

/* Start a new sampling round: the next proc_walk_get() walks again. */
void proc_walk_new_round(void);

/* The processes as this round's walk left them (walking first if this
 * round has not): *n of them, ascending pids, valid until the next walk.
 * NULL with *n = 0 when procfs cannot be read (errno set). */
const struct walk_proc *proc_walk_get(const struct source_ctx *ctx, size_t *n);

/* Whether the walk reads the processes' maps (the dma-bufs mapped): the
 * holder source says so each round from the buffers bufinfo lists, so
 * that a machine without dma-bufs pays no maps (a buffer mapped that
 * appears is seen from the next round). Initially true. */
void proc_walk_want_maps(bool want);

/* Call fn(p, f, arg) for each fd of kind `kind` the round's walk keeps,
 * over every process (proc_walk_get). Returns 0, or -errno when procfs
 * cannot be read. */
int proc_walk_each_fd(const struct source_ctx *ctx, enum fd_kind kind,
		      void (*fn)(const struct walk_proc *p, const struct walk_fd *f, void *arg), void *arg);

/* The figures of the last walk. */
void proc_walk_last_stats(struct proc_walk_stats *st);

/* Forget every process (tests; the daemon's exit). */
void proc_walk_free(void);

/* The device node under test, as the walk tells its files: by rdev
 * when it is a character device; else (the kernel model, whose DRM files
 * are sockets) by the name a socket's link gives, or by dev and inode
 * when the path is a file of its own. */
struct walk_device {
	const char *path;      /* NULL: no device (only major 226 is DRM) */
	uint64_t rdev;         /* a character device's; 0 otherwise */
	bool by_name;          /* sockets are matched by link name */
	uint64_t dev, ino;     /* a non-device file's; 0 when there is none */
};

/* What statx says of an open fd (mode, st_dev, st_rdev, st_ino), and
 * whether that decides its kind without its link: pure, for the tests.
 * dmabuf_dev: the dma-buf filesystem's st_dev, 0 while unknown. Returns
 * true with *kind set when statx decides. */
bool walk_kind_from_stat(unsigned mode, uint64_t dev, uint64_t rdev, uint64_t ino, uint64_t dmabuf_dev,
			 const struct walk_device *d, enum fd_kind *kind);

#endif
