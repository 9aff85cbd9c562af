/* Sampler sources: each file under sources/ reads one kind of kernel (or
 * daemon) counter and appends named values to a metric batch. The text
 * parsers are separate, pure functions so unit tests and fuzzers can feed
 * them real-format fixtures.
 *
 * Data flow: sampler (daemon/sampler.c) → sources → store (db/store-write.c)
 * → analysis (the leak_trends view). */
#ifndef GS_SOURCES_H
#define GS_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/metric-batch.h"
#include "common/origin-rows.h"

struct workers_view;

/* What sources need to know about the machine and the daemon. */
struct source_ctx {
	const char *debugfs;     /* /sys/kernel/debug */
	const char *procfs;      /* /proc (tests point it elsewhere) */
	int card_minor;          /* debugfs dri/N; -1 when unknown */
	const char *device;      /* the device node under test (NULL: unknown) */
	bool i915;               /* the i915 sources apply (others skip them) */
	bool quiesce;            /* i915: write i915_gem_drop_caches before sampling */
	bool drop_caches;        /* write 2 (slab) to vm/drop_caches before sampling */
	const struct workers_view *workers;  /* the workloads' counters and pids; NULL outside the daemon */
	struct origin_rows *origins;  /* where the origins source puts its rows (the sampler stores
				       * them); NULL: nobody stores them, the source skips */
	uint32_t origins_max;         /* live objects it traces at once; 0: it does not trace */
	size_t analysis_bytes;        /* the heap the daemon's judgement keeps between rounds
				       * (analysis/run.h); 0 outside the daemon */
};

/* No verdict this round (say, no worker alive between restarts): the
 * source stays available or unavailable as it was. */
#define SOURCE_NO_DATA 1

/* One metric a source puts, declared once, beside the code that puts it:
 * `gemsoakd --list-metrics` prints these, and the tests hold the docs,
 * the thresholds and real samples to them (tests/unit/test-metrics.c,
 * tests/integration/metric-docs.sh). */
enum metric_kind {
	METRIC_GAUGE,     /* goes up and down: what is alive now */
	METRIC_COUNTER,   /* only grows: what happened since the start */
};
struct metric_decl {
	const char *name;       /* an upper-case part stands for any name: workload.NAME.cycles */
	const char *unit;       /* as the source puts it: count, bytes, kB, cycles, ms */
	enum metric_kind kind;
	bool judged;            /* given a verdict (trend_thresholds.assess); else recorded only */
	const char *doc;        /* one line: what it counts */
};
#define METRIC_DECL_END { NULL, NULL, METRIC_GAUGE, false, NULL }

struct source {
	const char *name;
	/* Append this source's metrics. Returns 0, or -errno when the source
	 * is unavailable (why says which file and what went wrong), or
	 * SOURCE_NO_DATA when there was nothing to look at this round. */
	int (*collect)(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen);
	/* The metrics collect puts, ending with METRIC_DECL_END; NULL for a
	 * source that puts none. */
	const struct metric_decl *metrics;
};

/* The sources the sampler runs, in order; NULL-terminated. */
extern const struct source *const gs_sources[];
/* The daemon's last source, after gs_sources: the origins of live objects
 * (sources/origins.c, linked with libbpf into gemsoakd only). It puts no
 * metric, so the declarations (metrics_each) need not know it. */
extern const struct source source_origins;

/* Call fn with every metric declared: each source's, then the gauges of
 * each workload type (workload.NAME.GAUGE, wl_type.gauges). The name fn
 * gets is valid during the call only. */
void metrics_each(void (*fn)(const struct metric_decl *m, void *arg), void *arg);
/* The unit of a workload type's gauge: ms for a name ending in _ms, else
 * count (sources/workload-counters.c). */
const char *workload_gauge_unit(const char *gauge);
/* Print them, one a line: name, unit, kind, judged or recorded, doc. */
void metrics_print(FILE *out);

/* ---- parsers (pure; return 0, or -EINVAL when the text is not in a
 * format they know, -ERANGE for a number no counter can be) ---- */

/* Counters are never negative and fit in 63 bits. sscanf's %llu turns
 * "-1" into 2^64-1 and saturates on overflow, so such a value is refused
 * rather than recorded as 1.8e19. */
#define COUNT_OK(v) ((unsigned long long)(v) <= (unsigned long long)INT64_MAX)

/* A collector's message for parser result r (not 0): for -ERANGE the
 * number is named as out of range, else `format` says what was expected.
 * Returns r. */
int source_parse_failed(int r, const char *path, const char *format, char *why, size_t whylen);

/* debugfs dri/N/gem_names */
struct gem_names_stats {
	uint64_t names, handles, refcount, bytes;
};
int parse_gem_names(const char *text, struct gem_names_stats *out);

/* debugfs dri/N/clients: the number of open DRM files */
int parse_drm_clients(const char *text, uint64_t *clients);
/* The same file's process column (pid, or tgid since 6.4): up to max
 * pids into pids, their count in *n; -EINVAL without the header. */
int parse_drm_client_pids(const char *text, int *pids, size_t max, size_t *n);

/* debugfs dri/N/framebuffer: framebuffers, counted per owner ("allocated
 * by", the creating process's comm; "unknown" before 4.15) */
#define DRM_FB_OWNERS_MAX 16
#define DRM_FB_OWNER_LEN 24
struct drm_fb_stats {
	uint64_t framebuffers;
	int owners;
	struct { char name[DRM_FB_OWNER_LEN]; uint64_t count; } owner[DRM_FB_OWNERS_MAX];
	uint64_t other;       /* of owners beyond DRM_FB_OWNERS_MAX */
};
int parse_drm_framebuffers(const char *text, struct drm_fb_stats *out);
/* debugfs dri/N/state (atomic drivers): planes with a framebuffer, and
 * those whose framebuffer fbcon made */
int parse_drm_state_scanout(const char *text, uint64_t *planes, uint64_t *fbcon);

/* debugfs dma_buf/bufinfo: the closing "Total N objects, M bytes" */
int parse_dmabuf_bufinfo(const char *text, uint64_t *objects, uint64_t *bytes);

/* /proc/meminfo: value in kB of one key ("Shmem") */
int parse_meminfo_kb(const char *text, const char *key, uint64_t *kb);

/* /proc/self/status: VmRSS in kB */
int parse_status_rss_kb(const char *text, uint64_t *kb);


/* debugfs dri/N/i915_gem_objects: the first line in either era */
struct i915_objects_stats {
	bool modern;          /* "N shrinkable [F free] objects, B bytes" (4.19+) */
	uint64_t objects;     /* 3.x/4.x: every object; modern: shrinkable ones */
	uint64_t bytes;
	uint64_t free_objects;  /* modern only */
	bool has_gtt;           /* 3.x/4.x "N [M] objects, B [C] bytes in gtt" */
	uint64_t gtt_objects;
	uint64_t clients;       /* 3.x/4.x per-file lines after the blank line */
	uint64_t client_objects;  /* the sum of their object counts */
};
int parse_i915_gem_objects(const char *text, struct i915_objects_stats *out);

/* debugfs dri/N/i915_gem_gtt: the bound objects and their VMAs */
struct i915_gtt_stats {
	uint64_t objects;     /* "Total N objects, ..." */
	uint64_t bytes;
	uint64_t vmas;        /* every "offset:" entry */
	uint64_t vmas_ggtt;   /* "(gtt offset:" (3.x) or "(ggtt offset:" */
	uint64_t vmas_ppgtt;  /* "(ppgtt offset:" */
	uint64_t named;       /* bound objects with a flink name */
	uint64_t named_max_vmas;  /* the most VMAs on one flinked object */
};
int parse_i915_gem_gtt(const char *text, struct i915_gtt_stats *out);
/* igt's flink-and-exit probe: is the object named `name` still bound? */
bool i915_gtt_lists_name(const char *text, uint32_t name);

/* /proc/slabinfo (2.x): one cache's active and total objects; -ENOENT
 * when the cache is not listed */
int parse_slabinfo_cache(const char *text, const char *cache, uint64_t *active, uint64_t *total);

/* debugfs dri/N/i915_context_status: "HW context" lines, and those of
 * deleted/closed contexts still alive; -ENODATA for an empty file */
int parse_i915_context_status(const char *text, uint64_t *contexts, uint64_t *closed);

/* /proc/PID/fdinfo/FD of a DRM file: drm-usage-stats memory keys summed
 * over regions, in bytes; -ENOENT when it is not a DRM file */
struct drm_fdinfo {
	uint64_t client_id;
	uint64_t total, shared, resident;
	bool has_memory;      /* any drm-total/shared/resident key */
};
int parse_drm_fdinfo(const char *text, struct drm_fdinfo *out);

/* ---- helpers for sources (sources/batch.c) ---- */

/* Read a whole file; NULL with `why` filled ("PATH: reason") on failure. */
char *source_read(const char *path, char *why, size_t whylen);
/* Read ROOT/REL; path gets the full name for messages. */
char *source_read_under(const char *root, const char *rel, char *path, size_t pathlen,
			char *why, size_t whylen);
/* Read a whole file, keeping debugfs and procfs files open for the next
 * round (sources/kept-files.c); NULL with errno set on failure. */
char *kept_file_read(const char *path);
/* Close the files kept open, and forget the processes the walk over
 * /proc keeps (sources/proc-walk.c): the daemon's exit, tests. */
void kept_files_close(void);
/* Write `text` to ROOT/REL (a control file of procfs or debugfs: opened
 * without blocking, a regular file only); 0, or -errno with `why` filled
 * ("PATH: reason"). */
int source_write_under(const char *root, const char *rel, const char *text, char *why, size_t whylen);
/* Read debugfs dri/<card minor>/FILE of the device. */
char *source_read_dri(const struct source_ctx *ctx, const char *file, char *path, size_t pathlen,
		      char *why, size_t whylen);

/* A source that is one debugfs file: where it is, and what to do with its
 * text. put parses the text and appends the metrics; it returns the
 * parser's -EINVAL or -ERANGE (nothing appended) for a text not in the
 * format, else 0, SOURCE_NO_DATA or batch_put's error. */
struct text_source {
	const char *file;      /* under debugfs dri/<card minor>/ (dri) or debugfs */
	bool dri;
	bool i915_only;        /* other drivers have nothing of it to say */
	bool optional;         /* no such file is nothing to count (say, no KMS) */
	const char *format;    /* what the text is not, when it does not parse */
	int (*put)(const struct source_ctx *ctx, const char *text, struct metric_batch *b);
};
/* A text source's collect steps: skip it on another driver, read its
 * file, put, and name the file and its format when the text does not
 * parse. Returns like struct source's collect. */
int source_collect_text(const struct source_ctx *ctx, const struct text_source *t,
			struct metric_batch *b, char *why, size_t whylen);
#endif
