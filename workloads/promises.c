#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "common/util.h"
#include "workloads/promises.h"

bool same_handle_on_reimport(uint32_t first, uint32_t again)
{
	return first == again;
}

bool same_dmabuf_on_reexport(uint64_t first_ino, uint64_t again_ino)
{
	return first_ino == again_ino;
}

bool same_name_on_reflink(uint32_t first, uint32_t again)
{
	return first == again;
}

bool reimport_after_close_works(int neg_errno)
{
	return neg_errno == 0;
}

bool size_matches(uint64_t created, uint64_t seen)
{
	return seen >= created && seen - created < 4096;
}

bool handle_gone(int neg_errno_of_export)
{
	return neg_errno_of_export == -ENOENT;
}

bool master_after_restart(int neg_errno)
{
	return neg_errno == 0;
}

bool errno_allowed(enum gs_ioctl ioc, enum race_kind race, int neg_errno)
{
	if (neg_errno == 0)
		return true;
	if (race != RACE_CLOSE)
		return false;
	switch (ioc) {
	case GS_IOC_PRIME_EXPORT: /* the handle was closed first */
	case GS_IOC_OPEN:         /* the name went with the last handle */
	case GS_IOC_FLINK:
		return neg_errno == -ENOENT;
	case GS_IOC_CLOSE:        /* another thread closed that handle */
		return neg_errno == -EINVAL;
	default:                  /* an import holds its dma-buf: no excuse */
		return false;
	}
}

/* A token bucket per process, shared by its threads. */
static struct {
	pthread_mutex_t lock;
	double tokens, last;
	bool started;
	unsigned long dropped;
} bucket = { .lock = PTHREAD_MUTEX_INITIALIZER };

void wl_anomaly(struct wl_proc *p, const char *kind, const char *fmt, ...)
{
	pthread_mutex_lock(&bucket.lock);
	double now = now_monotonic();
	if (!bucket.started) {
		bucket.started = true;
		bucket.tokens = ANOMALY_BURST;
	} else {
		bucket.tokens += (now - bucket.last) * ANOMALY_RATE;
		if (bucket.tokens > ANOMALY_BURST)
			bucket.tokens = ANOMALY_BURST;
	}
	bucket.last = now;
	bool record = bucket.tokens >= 1.0;
	unsigned long dropped = 0;
	if (record) {
		bucket.tokens -= 1.0;
		dropped = bucket.dropped;
		bucket.dropped = 0;
	} else {
		bucket.dropped++;
	}
	pthread_mutex_unlock(&bucket.lock);
	if (!record)
		return;
	char text[sizeof(((struct wl_msg *)0)->text)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (dropped)
		wl_report(p, kind, "%s (and %lu anomalies not recorded before this one)", text, dropped);
	else
		wl_report(p, kind, "%s", text);
}

/* The test hook fires once per process. */
static bool hook_fires(struct wl_proc *p, const char *promise)
{
	static atomic_bool fired;
	if (strcmp(wl_get_str(p->cfg, "test_hook_violate"), promise) != 0)
		return false;
	return !atomic_exchange(&fired, true);
}

bool wl_promise(struct wl_proc *p, const char *promise, bool held, const char *fmt, ...)
{
	if (held && !hook_fires(p, promise))
		return true;
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	wl_anomaly(p, "promise", "%s violated%s: %s", promise, held ? " (test hook)" : "", detail);
	return false;
}

int wl_ioctl_result(struct wl_proc *p, enum gs_ioctl ioc, enum race_kind race, int neg_errno,
		    const char *step, uint32_t id)
{
	if (neg_errno == 0)
		return 0;
	wl_count_error(p, ioc, neg_errno);
	if (!errno_allowed(ioc, race, neg_errno))
		wl_anomaly(p, "unexpected-errno", "%s: %s on %u returned %s (%s)", step,
			  gs_ioctl_name(ioc), id, strerrorname_np(-neg_errno) ?: "?", strerror(-neg_errno));
	return neg_errno;
}
