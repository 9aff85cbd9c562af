/* Worker-side helpers shared by every workload. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "device/master.h"
#include "workloads/workload.h"

void wl_count_error(struct wl_proc *p, enum gs_ioctl ioc, int neg_errno)
{
	int e = -neg_errno;
	if (e <= 0 || e >= GS_ERRNO_SLOTS)
		e = GS_ERRNO_SLOTS - 1;
	atomic_fetch_add_explicit(&p->ctr->errors[ioc][e], 1, memory_order_relaxed);
	/* ENODEV is also an ordinary answer of some ioctls (an mmap type the
	 * object cannot have): the device is gone only when VERSION fails too. */
	if (e == ENODEV && p->dev_fd >= 0 && device_unplugged(p->dev_fd)) {
		wl_report(p, "device-gone", "%s is gone: %s returned ENODEV and so does every ioctl "
			  "(driver unbound or device removed)", p->dev_path, gs_ioctl_name(ioc));
		wl_exit(p, WL_EXIT_DEVICE);
	}
}

void wl_cycle_done(struct wl_proc *p)
{
	atomic_fetch_add_explicit(&p->ctr->cycles, 1, memory_order_relaxed);
}

void wl_gauge_set(struct wl_proc *p, int g, int64_t value)
{
	atomic_store_explicit(&p->ctr->gauges[g], value, memory_order_relaxed);
}

void wl_gauge_add(struct wl_proc *p, int g, int64_t delta)
{
	atomic_fetch_add_explicit(&p->ctr->gauges[g], delta, memory_order_relaxed);
}

bool wl_should_stop(const struct wl_proc *p)
{
	return p->deadline > 0 && now_monotonic() >= p->deadline;
}

void wl_report(struct wl_proc *p, const char *kind, const char *fmt, ...)
{
	struct wl_msg m = { .index = (uint32_t)p->index };
	snprintf(m.kind, sizeof(m.kind), "%s", kind);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	/* Never block the workload on the daemon: drop if the socket is full
	 * (the daemon counts what arrives; a flood of anomalies is visible). */
	while (send(p->report_fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

void wl_exit(struct wl_proc *p, int status)
{
	(void)p;
	_exit(status);
}

void wl_pacer_init(struct wl_pacer *pc, const struct wl_config *cfg, int share)
{
	double rate = wl_rate(cfg);
	pc->period = rate > 0 ? (double)(share > 0 ? share : 1) / rate : 0;
	pc->next = now_monotonic();
}

void wl_pacer_wait(struct wl_pacer *pc)
{
	if (pc->period <= 0)
		return;
	pc->next += pc->period;
	double now = now_monotonic();
	if (pc->next < now - 1.0)
		pc->next = now; /* fell far behind (stopped?): do not burst */
	if (pc->next > now) {
		double d = pc->next - now;
		struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

void wl_backoff(unsigned *consecutive_errors)
{
	if (++*consecutive_errors > 100)
		usleep(10000);
}

int wl_open_device(struct wl_proc *p, const char *path)
{
	if (!path)
		path = p->dev->path;
	int fd = device_open_fd(path);
	if (fd < 0) {
		wl_report(p, "device", "cannot open %s: %s", path, strerror(-fd));
		wl_exit(p, WL_EXIT_DEVICE);
	}
	p->dev_fd = fd;
	snprintf(p->dev_path, sizeof(p->dev_path), "%s", path);
	return fd;
}

int wl_open_client(struct wl_proc *p, const char *path)
{
	int fd = wl_open_device(p, path);
	master_release_if_held(fd);
	return fd;
}
