/* Workloads: each type is one file under workloads/ exporting a struct
 * wl_type; workloads/registry.c lists them. The daemon forks a type's
 * processes (wl_type.nprocs) and each runs wl_type.run() until killed.
 *
 * Data flow: config ([workload NAME] → struct wl_config) → workload
 * processes → device backend (device/gem.c) → kernel. Workers count
 * cycles and ioctl errors in shared memory (struct wl_counters) that the
 * sampler reads; anomalies go to the daemon as messages (wl_report). */
#ifndef GS_WORKLOAD_H
#define GS_WORKLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "device/device.h"
#include "device/gem.h"

enum wl_key_kind { WK_INT, WK_SIZE, WK_DURATION, WK_BOOL, WK_STRING, WK_RATE };

#define WL_STR_MAX 256

struct wl_key {
	const char *name;
	enum wl_key_kind kind;
	int64_t min, max, def;   /* durations in ms, sizes in bytes, rates in thousandths */
	const char *help;
};
/* WK_STRING keys default to "" (each documents what that means); min and
 * max are unused, values are at most WL_STR_MAX - 1 characters and the
 * type's check_str may refuse them. */

/* Keys every workload has; a type lists them in its own key array. */
#define WL_KEY_SIZE { "size", WK_SIZE, 4096, 1LL << 30, 4096, "bytes per buffer object" }
/* A rate is a decimal of cycles/s to three places (WK_RATE), kept in
 * thousandths: a slow leak beside fast clean work needs less than one
 * cycle a second (wl_rate reads it). */
#define WL_KEY_RATE { "rate", WK_RATE, 0, 100000000000LL, 0, \
	"cycles/s cap for the whole workload, to three decimals (0.05: a cycle every 20 s); 0 = as fast as the kernel allows" }
#define WL_KEY_DURATION { "duration", WK_DURATION, 0, INT64_MAX / 2, 0, "stop the workload after this long; 0 = forever" }
#define WL_KEY_SEED { "seed", WK_INT, 0, INT32_MAX, 1, "seed of the workload's pseudo-random choices" }
/* A test hook: the worker treats the named promise as violated once, so a
 * test can see an anomaly travel to the events table. Never for real runs. */
#define WL_KEY_TEST_HOOK { "test_hook_violate", WK_STRING, 0, 0, 0, \
	"TEST HOOK: report the named promise as violated once per process" }
#define WL_KEY_END { NULL, WK_INT, 0, 0, 0, NULL }

#define WL_MAX_KEYS 16
#define WL_NAME_MAX 48

struct wl_type;

/* One [workload NAME] section, validated. */
struct wl_config {
	char name[WL_NAME_MAX];
	const struct wl_type *type;
	char file[256];
	int line;                  /* line of the section header */
	int64_t val[WL_MAX_KEYS];  /* indexed like type->keys */
	char str[WL_MAX_KEYS][WL_STR_MAX]; /* WK_STRING values, same index */
};

/* Errno values are counted per ioctl; larger ones share the last slot. */
#define GS_ERRNO_SLOTS 136

/* Values a type names in wl_type.gauges, at most this many. */
#define WL_MAX_GAUGES 4

/* Per worker process, in memory shared with the daemon. */
struct wl_counters {
	_Atomic uint64_t cycles;
	_Atomic uint64_t errors[GS_IOC_COUNT][GS_ERRNO_SLOTS];
	_Atomic int64_t gauges[WL_MAX_GAUGES];  /* indexed like wl_type.gauges */
};

#define WL_MAX_FDS 64

/* What one worker process gets. */
struct wl_proc {
	const struct wl_config *cfg;
	const struct gs_device *dev;
	int index;                 /* 0 .. nprocs-1 */
	int nprocs;
	struct wl_counters *ctr;   /* this process's counters */
	int report_fd;             /* SOCK_SEQPACKET to the daemon */
	int fds[WL_MAX_FDS];       /* the type's channels, as wl_type.fds listed them */
	int nfds;
	double deadline;           /* CLOCK_MONOTONIC seconds, 0 = none */
	int dev_fd;                /* the DRM file wl_open_client opened last, -1 = none */
	char dev_path[256];        /* ... and its device */
};

/* A worker's exit status when its device cannot be opened or is gone
 * (driver unbound): the supervisor logs that once per outage. */
#define WL_EXIT_DEVICE 4
/* Exit statuses of a worker that could not start, after a report saying
 * why (the supervisor words them in its worker-exit event): a setup step
 * (a fork, a thread) failed; the fds it keeps do not fit under its
 * RLIMIT_NOFILE; it cannot become [daemon] user. */
#define WL_EXIT_SETUP 5
#define WL_EXIT_NOFILE 6
#define WL_EXIT_USER 7

/* One value a type's workers keep beside their cycles: a name ending in
 * _ms is in milliseconds, any other a count. */
struct wl_gauge {
	const char *name;
	bool counter;       /* only ever added to (wl_gauge_add), else set */
	const char *doc;
};

struct wl_type {
	const char *name;
	const char *summary;
	const struct wl_key *keys;          /* ends with WL_KEY_END */
	unsigned caps;                      /* GS_CAP_* the device must offer */
	int (*nprocs)(const struct wl_config *cfg);
	/* Optional (processes with no channels between them leave out all
	 * three; callers go through wl_channels_*): in the daemon, before
	 * forking, create the channels between the processes. Returns NULL
	 * (errno set) on failure. */
	void *(*setup)(const struct wl_config *cfg);
	/* Which of the channel fds process `index` keeps (in order). */
	int (*fds)(void *chan, const struct wl_config *cfg, int index, int *fds, int max);
	void (*teardown)(void *chan);
	/* In the worker; does not return. */
	void (*run)(struct wl_proc *p) __attribute__((noreturn));
	/* Optional: the capabilities this configuration needs, when they
	 * depend on its keys (else `caps`). */
	unsigned (*caps_for)(const struct wl_config *cfg);
	/* Optional: NULL when the WK_STRING key's value is acceptable, else
	 * why it is not (the config reader adds file, line and key). */
	const char *(*check_str)(const char *key, const char *value);
	/* Optional: the values the workers set with wl_gauge_set() or
	 * wl_gauge_add() (ending with a NULL name, at most WL_MAX_GAUGES),
	 * sampled summed over the processes as workload.NAME.GAUGE. */
	const struct wl_gauge *gauges;
	/* Optional: NULL when the keys of a section go together, else why
	 * not (the config reader adds the file and the section's line). */
	const char *(*check)(const struct wl_config *cfg);
	/* Optional: keys this type still takes (ending with NULL) that are
	 * now type `moved_to`'s; a section setting one is taken, with a
	 * warning naming that type. */
	const char *const *moved_keys;
	const char *moved_to;
};

/* workloads/registry.c */
const struct wl_type *wl_type_find(const char *name);
const struct wl_type *const *wl_types(void);
int wl_key_index(const struct wl_type *t, const char *key);
/* A key's value, parsed once by the config reader. The key must be one
 * its type declares: any other aborts naming it (a typo in the code must
 * not read 0). */
int64_t wl_get(const struct wl_config *cfg, const char *key);
/* The workload's `rate` cap in cycles/s; 0 when it has none. */
double wl_rate(const struct wl_config *cfg);
/* A WK_STRING key's value, under the same rule. */
const char *wl_get_str(const struct wl_config *cfg, const char *key);
/* For code that serves every type (the daemon, the shared helpers): a key
 * that only some types declare; 0 or "" when this type has none. */
int64_t wl_get_opt(const struct wl_config *cfg, const char *key);
const char *wl_get_str_opt(const struct wl_config *cfg, const char *key);
/* The channels between an instance's processes, through the type's
 * optional setup, fds and teardown: a type without setup gets an empty
 * placeholder (never NULL, which is failure, errno set), no fds, and
 * nothing to tear down. */
void *wl_channels_open(const struct wl_config *cfg);
int wl_channels_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max);
void wl_channels_close(const struct wl_config *cfg, void *chan);
unsigned wl_caps_needed(const struct wl_config *cfg);
/* Every type with its keys (kind, range, default, help), for --list-workloads. */
void wl_print_types(FILE *out);

/* workloads/worker.c: helpers for the worker side. */
/* Count an ioctl error; an ENODEV from a device that answers no ioctl any
 * more (unplugged) is reported as device-gone and ends the worker. */
void wl_count_error(struct wl_proc *p, enum gs_ioctl ioc, int neg_errno);
void wl_cycle_done(struct wl_proc *p);
/* Set or add to this process's value of the type's gauge g. */
void wl_gauge_set(struct wl_proc *p, int g, int64_t value);
void wl_gauge_add(struct wl_proc *p, int g, int64_t delta);
bool wl_should_stop(const struct wl_proc *p);
/* Report an anomaly event to the daemon (kind is a short word). */
void wl_report(struct wl_proc *p, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void wl_exit(struct wl_proc *p, int status) __attribute__((noreturn));

/* Open `path` (the device when NULL) and remember it as the file whose
 * ENODEV says the device is gone (wl_count_error). Exits the worker
 * (WL_EXIT_DEVICE) on failure, after reporting why. */
int wl_open_device(struct wl_proc *p, const char *path);
/* wl_open_device as a client: if opening a primary node made this file
 * DRM master, give master up, so that a display server workload can take it. */
int wl_open_client(struct wl_proc *p, const char *path);

/* Pacing to the workload's rate cap (wl_rate), shared among `share`
 * processes. */
struct wl_pacer {
	double period;   /* seconds per cycle for this process; 0 = no cap */
	double next;
};
void wl_pacer_init(struct wl_pacer *pc, const struct wl_config *cfg, int share);
void wl_pacer_wait(struct wl_pacer *pc);
/* Count one more error in a row (reset it to 0 on success): a kernel
 * error that repeats every cycle must not turn into a hot loop. */
void wl_backoff(unsigned *consecutive_errors);

/* Messages on the report socket (worker → daemon). */
struct wl_msg {
	uint32_t index;      /* worker process index */
	char kind[24];
	char text[232];
};

#endif
