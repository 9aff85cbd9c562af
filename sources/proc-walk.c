#include <dirent.h>
#include <stdlib.h>

#include "sources/proc-walk.h"
#include "sources/workers.h"

static bool is_worker(const struct workers_view *w, int pid)
{
	for (size_t i = 0; w && i < w->npids; i++)
		if (w->pids[i] == pid)
			return true;
	return false;
}

int proc_walk(const struct source_ctx *ctx, void (*fn)(const struct source_ctx *ctx, int pid, bool worker, void *arg),
	      void *arg)
{
	DIR *d = opendir(ctx->procfs);
	if (!d)
		return 0;
	struct dirent *e;
	int procs = 0;
	while ((e = readdir(d)) != NULL && procs < PROC_WALK_MAX_PIDS) {
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		procs++;
		fn(ctx, pid, is_worker(ctx->workers, pid), arg);
	}
	closedir(d);
	return procs;
}
