/* The walk over every process of procfs that the holder sources share
 * (sources/holders.c, sources/fdinfo.c): bounded, and telling the
 * workers (the daemon's workers_view) from the other processes. */
#ifndef GS_SOURCES_PROC_WALK_H
#define GS_SOURCES_PROC_WALK_H

#include <stdbool.h>

#include "sources/sources.h"

#define PROC_WALK_MAX_PIDS 4096

/* Call fn(ctx, pid, worker, arg) for each process of ctx->procfs, at
 * most PROC_WALK_MAX_PIDS; worker: the pid is one of ctx->workers'.
 * Returns how many were visited (0 when procfs cannot be read). */
int proc_walk(const struct source_ctx *ctx, void (*fn)(const struct source_ctx *ctx, int pid, bool worker, void *arg),
	      void *arg);

#endif
