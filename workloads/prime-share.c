/* prime-share: PRIME sharing between processes, the path of seeds 000/003.
 *
 * Processes come in pairs. The exporter creates `objects` buffer objects,
 * exports each with PRIME_HANDLE_TO_FD and passes the dma-buf fds to its
 * importer with SCM_RIGHTS (closing its own copies); the importer imports
 * them with PRIME_FD_TO_HANDLE (on `device2` when set: the cross-driver
 * case). Then three closes happen in the cycle's close order: the prime
 * fds (importer), the importer's handles, the exporter's handles. With
 * close_order = cycle (the default) the order walks through all six, one
 * per cycle; "fd,importer,exporter" is seed 000's sequence.
 *
 * Promises checked: a dma-buf has its object's size; importing one
 * dma-buf twice on a file gives the same handle. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "workloads/fd-pass.h"
#include "workloads/layout.h"
#include "workloads/prime-share.h"
#include "workloads/promises.h"

#define MAX_OBJECTS PRIME_SHARE_MAX_OBJECTS

static const struct wl_key prime_share_keys[] = {
	{ "processes", WK_INT, 1, 32, 1, "exporter/importer process pairs" },
	{ "objects", WK_INT, 1, MAX_OBJECTS, 2, "buffer objects shared per cycle" },
	{ "close_order", WK_STRING, 0, 0, 0, "cycle (default), random, or an order of fd, importer, exporter" },
	{ "device2", WK_STRING, 0, 0, 0, "the importers' device, or auto: another that imports (default: the daemon's device)" },
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK,
	WL_KEY_END,
};

static int prime_share_nprocs(const struct wl_config *cfg)
{
	return 2 * (int)wl_get(cfg, "processes");
}

static void *prime_share_setup(const struct wl_config *cfg)
{
	return layout_pairs_setup((int)wl_get(cfg, "processes"));
}

static void close_handles(struct wl_proc *p, int fd, const uint32_t *h, uint32_t n, const char *step)
{
	for (uint32_t i = 0; i < n; i++)
		wl_ioctl_result(p, GS_IOC_CLOSE, RACE_NONE, gem_close(fd, h[i]), step, h[i]);
}

static void export_side(struct wl_proc *p) __attribute__((noreturn));
static void export_side(struct wl_proc *p)
{
	int fd = wl_open_client(p, NULL), sock = p->fds[0];
	struct close_order co;
	close_order_init(&co, p, wl_get_str(p->cfg, "close_order"));
	uint32_t n = (uint32_t)wl_get(p->cfg, "objects");
	uint64_t size = (uint64_t)wl_get(p->cfg, "size");
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, (int)wl_get(p->cfg, "processes"));
	unsigned errors = 0;

	for (uint32_t seq = 0; !wl_should_stop(p); seq++) {
		wl_pacer_wait(&pacer);
		uint32_t h[MAX_OBJECTS];
		int dmabuf[MAX_OBJECTS];
		struct prime_offer o = { .seq = seq, .size = size };
		int r = 0;
		while (o.n < n && !r) {
			r = gem_create(fd, p->dev->kind, size, &h[o.n]);
			if (r) {
				wl_count_error(p, GS_IOC_CREATE, r);
				break;
			}
			r = wl_ioctl_result(p, GS_IOC_PRIME_EXPORT, RACE_NONE,
					    prime_export(fd, h[o.n], &dmabuf[o.n]), "export", h[o.n]);
			if (r)
				gem_close(fd, h[o.n]);
			else
				o.n++;
		}
		if (r) {
			for (uint32_t i = 0; i < o.n; i++)
				close(dmabuf[i]);
			close_handles(p, fd, h, o.n, "export-failed");
			wl_backoff(&errors);
			continue;
		}
		errors = 0;
		close_order_next(&co, seq, o.order);
		fdpass_send(p, sock, &o, sizeof(o), dmabuf, (int)o.n);
		for (uint32_t i = 0; i < o.n; i++)
			close(dmabuf[i]);
		/* The importer says when it is the exporter's turn to close. */
		struct prime_note note;
		fdpass_recv(p, sock, &note, sizeof(note), NULL, 0);
		if (note.seq != seq)
			wl_anomaly(p, "protocol", "close note for cycle %u while in cycle %u", note.seq, seq);
		close_handles(p, fd, h, o.n, "exporter-close");
		fdpass_send(p, sock, &note, sizeof(note), NULL, 0);
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

static void import_side(struct wl_proc *p) __attribute__((noreturn));
static void import_side(struct wl_proc *p)
{
	const char *dev2 = wl_get_str(p->cfg, "device2");
	char found[256], err[256];
	if (strcmp(dev2, "auto") == 0) {
		if (device_find_importer(p->dev->path, found, sizeof(found), err, sizeof(err))) {
			wl_report(p, "device", "%s", err);
			wl_exit(p, WL_EXIT_DEVICE);
		}
		dev2 = found;
	}
	int fd = wl_open_client(p, *dev2 ? dev2 : NULL), sock = p->fds[0];
	for (;;) {
		struct prime_offer o;
		int dmabuf[MAX_OBJECTS];
		int got = fdpass_recv(p, sock, &o, sizeof(o), dmabuf, MAX_OBJECTS);
		if ((uint32_t)got != o.n || o.n > MAX_OBJECTS) {
			wl_anomaly(p, "protocol", "cycle %u: %d dma-buf fds for %u objects", o.seq, got, o.n);
			wl_exit(p, 3);
		}
		uint32_t h[MAX_OBJECTS], nh = 0;
		for (uint32_t i = 0; i < o.n; i++) {
			off_t len = lseek(dmabuf[i], 0, SEEK_END);
			wl_promise(p, "size_matches", len < 0 || size_matches(o.size, (uint64_t)len),
				   "cycle %u: dma-buf %u of size %lld for an object of %llu", o.seq, i,
				   (long long)len, (unsigned long long)o.size);
			uint32_t again;
			if (wl_ioctl_result(p, GS_IOC_PRIME_IMPORT, RACE_NONE, prime_import(fd, dmabuf[i], &h[nh]),
					    "import", o.seq))
				continue;
			if (!wl_ioctl_result(p, GS_IOC_PRIME_IMPORT, RACE_NONE, prime_import(fd, dmabuf[i], &again),
					     "re-import", o.seq))
				wl_promise(p, "same_handle_on_reimport", same_handle_on_reimport(h[nh], again),
					   "cycle %u: dma-buf %u imported as handle %u, then as %u", o.seq, i,
					   h[nh], again);
			nh++;
		}
		for (int s = 0; s < CLOSE_STEPS; s++) {
			switch (o.order[s]) {
			case CLOSE_FD:
				for (uint32_t i = 0; i < o.n; i++)
					close(dmabuf[i]);
				break;
			case CLOSE_IMPORTER:
				close_handles(p, fd, h, nh, "importer-close");
				break;
			case CLOSE_EXPORTER: {
				struct prime_note note = { .seq = o.seq };
				fdpass_send(p, sock, &note, sizeof(note), NULL, 0);
				fdpass_recv(p, sock, &note, sizeof(note), NULL, 0);
				break;
			}
			}
		}
	}
}

static void prime_share_run(struct wl_proc *p) __attribute__((noreturn));
static void prime_share_run(struct wl_proc *p)
{
	if (p->index % 2 == 0)
		export_side(p);
	import_side(p);
}

static const char *prime_share_check(const char *key, const char *value)
{
	if (strcmp(key, "close_order") == 0)
		return close_order_check(value);
	return NULL;
}

const struct wl_type wl_prime_share = {
	.name = "prime-share",
	.summary = "export with PRIME, pass the dma-buf to another process, import, close in every order",
	.keys = prime_share_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_PRIME_EXPORT | GS_CAP_PRIME_IMPORT,
	.nprocs = prime_share_nprocs,
	.setup = prime_share_setup,
	.fds = layout_fds,
	.teardown = layout_teardown,
	.run = prime_share_run,
	.check_str = prime_share_check,
};
