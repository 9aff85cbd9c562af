/* gemsoakd's configuration: an INI file (read with libinih) with one
 * [daemon] section and one [workload NAME] section per workload.
 * Every problem is reported as "FILE:LINE: message" on stderr; a config
 * with any problem is refused as a whole (exit status GS_EXIT_CONFIG). A
 * warning ("FILE:LINE: warning: message", a deprecated key) leaves it
 * taken. */
#ifndef GS_CONFIG_H
#define GS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/defaults.h"
#include "daemon/privilege.h"
#include "workloads/workload.h"

#define GS_EXIT_CONFIG 78      /* EX_CONFIG */
#define GS_EXIT_UNAVAILABLE 69 /* EX_UNAVAILABLE: device or database */

#define GS_DEFAULT_BACKOFF_MS 1000       /* first restart after a worker death */
/* Live objects the origins source traces at once (bpf/origins.bpf.c): off
 * unless asked for, since attaching its kprobes crashed guests under
 * QEMU's TCG three times (docs/ORIGINS.md); 65536 is a bound for a machine. */
#define GS_DEFAULT_ORIGINS_OBJECTS 0
#define GS_DEFAULT_BACKOFF_MAX_MS 60000  /* doubling up to this */
#define GS_CONFIG_MAX_BYTES (1u << 20)   /* a config file larger than this is refused */
#define GS_MAX_PROCESSES 4096            /* worker processes of all workloads together */

struct gs_config {
	char path[512];
	char device[256];        /* a device node, or "auto" */
	int device_line;
	char database[512];
	bool database_override;  /* --database: a reload keeps it */
	int64_t interval_ms;
	char debugfs[256];
	struct gs_user user;     /* workers' account; empty name: unchanged */
	int user_line;
	int64_t backoff_ms;      /* first restart delay after a worker death */
	int64_t backoff_max_ms;  /* the delay doubles up to this */
	int backoff_line;
	int64_t trend_window_ms;  /* floor window of the trends (db/TRENDS.md) */
	int64_t retention_ms;     /* raw samples older than this are pruned */
	int64_t progress_ms;      /* a progress line this often when interactive; 0: never */
	/* The attribution probe (daemon/probe.h): periods of this length
	 * alternate between all workloads running and one paused, in turn.
	 * 0: off ("no"); -1 ("auto", the default): on while two or more
	 * workloads run, periods growing with the run (daemon/probe-plan.h). */
	int64_t probe_ms;
	int probe_line;
	bool quiesce;              /* i915: drop caches before each sample (as igt does) */
	bool drop_caches;          /* write 2 (slab) to /proc/sys/vm/drop_caches before each sample */
	/* The leak guard (daemon/leak-guard.h): MemAvailable below the floor
	 * stops the workloads, above resume restarts them. -1: auto. */
	int64_t memory_floor_kb;   /* 0: no guard */
	int64_t memory_resume_kb;
	int memory_line;
	char meminfo[256];         /* where MemAvailable is read */
	int64_t origins_objects;   /* objects the origins source traces at once; 0: no tracing */
	struct wl_config *workloads;
	size_t nworkloads;
	char *text;              /* the files as read, for the run record */
};

/* Load and validate one file into cfg (zeroed defaults first). Problems
 * and warnings go to errs; returns the number of problems (0 = valid). */
int config_load(const char *path, struct gs_config *cfg, FILE *errs);
/* The same for several files read as one config, in this order (cfg->path
 * is the first): a workload is defined in one file only, [daemon] once. */
int config_load_files(const char *const *paths, size_t npaths, struct gs_config *cfg, FILE *errs);
/* The main file, then the files DIR/conf.d/NAME.conf (DIR = the main file's directory)
 * in byte order of their names: daemon/config-dir.c. */
int config_load_dir(const char *path, struct gs_config *cfg, FILE *errs);
void config_free(struct gs_config *cfg);
/* Every [daemon] key whose value differs between a and b, by name and in
 * the order of the key table, comma-separated in buf; false when none. */
bool config_daemon_changed(const struct gs_config *a, const struct gs_config *b, char *buf, size_t len);

#endif
