#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdatomic.h>

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
	wl_report(p, "promise", "%s violated%s: %s", promise, held ? " (test hook)" : "", detail);
	return false;
}

int wl_ioctl_result(struct wl_proc *p, enum gs_ioctl ioc, enum race_kind race, int neg_errno,
		    const char *step, uint32_t id)
{
	if (neg_errno == 0)
		return 0;
	wl_count_error(p, ioc, neg_errno);
	if (!errno_allowed(ioc, race, neg_errno))
		wl_report(p, "unexpected-errno", "%s: %s on %u returned %s (%s)", step,
			  gs_ioctl_name(ioc), id, strerrorname_np(-neg_errno) ?: "?", strerror(-neg_errno));
	return neg_errno;
}
