#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
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

enum fence_fate fence_fate(const struct fence_seen *f, double bound_s, double expiry_s)
{
	if (f->known && f->signaller > 0) {
		/* Its signaller's delay explains the wait: the signal call
		 * signals before it returns (earlier when the driver's expiry
		 * came first: then the signaller was the late one). */
		if (f->signalled > 0)
			return f->signalled - f->signaller <= bound_s ? FENCE_LATE : FENCE_SIGNAL_LOST;
		return f->now - f->signaller > bound_s ? FENCE_SIGNAL_LOST : FENCE_PENDING;
	}
	if (f->known && f->went_on)
		return FENCE_UNSIGNALLED;
	if (f->signalled > 0)
		/* Signalled by the driver's expiry before a signaller that has
		 * not run since (starved): decided when it does. A record
		 * overwritten by later frames tells nothing more: late. */
		return f->known ? FENCE_PENDING : FENCE_LATE;
	return f->now - f->came > expiry_s ? FENCE_NEVER : FENCE_PENDING;
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

/* Per worker process, shared by its threads and by the short-lived
 * children it forks (after wl_anomaly_share): the token bucket that caps
 * anomaly reports, and whether the test hook has fired. */
struct bucket {
	double tokens, last;
	bool started;
	unsigned long dropped;
};
struct anomaly_state {
	pthread_mutex_t lock;
	struct bucket anomalies, late;  /* late events apart: they never crowd out a broken promise */
	atomic_bool hook_fired;
};

static struct anomaly_state local_state = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct anomaly_state *state = &local_state;

void wl_anomaly_share(void)
{
	struct anomaly_state *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
					-1, 0);
	if (sh == MAP_FAILED)
		return; /* then each child has its own: still correct, less capped */
	memset(sh, 0, sizeof(*sh));
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &a);
	pthread_mutexattr_destroy(&a);
	state = sh;
}

/* Report `kind` through bucket b of the state (the token bucket above);
 * `what` names what b counts in the note of those not recorded. */
static void report_capped(struct wl_proc *p, struct bucket *b, const char *what, const char *kind, const char *fmt,
			  va_list ap)
{
	pthread_mutex_lock(&state->lock);
	double now = now_monotonic();
	if (!b->started) {
		b->started = true;
		b->tokens = ANOMALY_BURST;
	} else {
		b->tokens += (now - b->last) * ANOMALY_RATE;
		if (b->tokens > ANOMALY_BURST)
			b->tokens = ANOMALY_BURST;
	}
	b->last = now;
	bool record = b->tokens >= 1.0;
	unsigned long dropped = 0;
	if (record) {
		b->tokens -= 1.0;
		dropped = b->dropped;
		b->dropped = 0;
	} else {
		b->dropped++;
	}
	pthread_mutex_unlock(&state->lock);
	if (!record)
		return;
	char text[sizeof(((struct wl_msg *)0)->text)];
	vsnprintf(text, sizeof(text), fmt, ap);
	if (dropped)
		wl_report(p, kind, "%s (and %lu %s not recorded before this one)", text, dropped, what);
	else
		wl_report(p, kind, "%s", text);
}

void wl_anomaly(struct wl_proc *p, const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_capped(p, &state->anomalies, "anomalies", kind, fmt, ap);
	va_end(ap);
}

/* The test hook fires once per worker process. */
static bool hook_fires(struct wl_proc *p, const char *promise)
{
	if (strcmp(wl_get_str_opt(p->cfg, "test_hook_violate"), promise) != 0)
		return false;
	return !atomic_exchange(&state->hook_fired, true);
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

void wl_late(struct wl_proc *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_capped(p, &state->late, "late events", "late", fmt, ap);
	va_end(ap);
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
