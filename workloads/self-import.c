/* self-import: export and re-import on a second open file of the same
 * device, in one process and across processes: the wayland/DRI3/render
 * node case of seed 003 and the self-import of seed 001.
 *
 * Each process opens the device twice (files A and B) and, per object:
 * creates it on A, exports it twice, imports it back on A and twice on B,
 * passes one dma-buf to its partner process (which imports it twice on its
 * own file B, closes, and imports it again), closes the handles in a
 * seeded random order and re-imports the remaining dma-buf on B.
 *
 * Promises checked: exporting a handle twice gives the same dma-buf;
 * importing on the exporting file gives the exporter's handle; importing
 * one dma-buf twice on a file gives the same handle; a re-import after the
 * last handle was closed works; a closed handle is gone. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kcmp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workloads/fd-pass.h"
#include "workloads/layout.h"
#include "workloads/prng.h"
#include "workloads/promises.h"
#include "workloads/self-import.h"

static const struct wl_key self_import_keys[] = {
	{ "processes", WK_INT, 1, 32, 1, "process pairs (each pair also passes dma-bufs to each other)" },
	{ "objects", WK_INT, 1, 1024, 1, "buffer objects per cycle" },
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK,
	WL_KEY_END,
};

static int self_import_nprocs(const struct wl_config *cfg)
{
	return 2 * (int)wl_get(cfg, "processes");
}

static void *self_import_setup(const struct wl_config *cfg)
{
	return layout_pairs_setup((int)wl_get(cfg, "processes"));
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static pid_t self_pid; /* set by the worker itself (kcmp wants real pids) */

/* Two fds on one open file have one inode: a single kcmp answers what
 * two fstats would. false also when kcmp is not there. */
static bool same_open_file(int fd1, int fd2)
{
	return syscall(SYS_kcmp, self_pid, self_pid, KCMP_FILE, fd1, fd2) == 0;
}

static int import(struct wl_proc *p, int fd, int dmabuf, uint32_t *h, const char *step, uint32_t seq)
{
	return wl_ioctl_result(p, GS_IOC_PRIME_IMPORT, RACE_NONE, prime_import(fd, dmabuf, h), step, seq);
}

static void close_handle(struct wl_proc *p, int fd, uint32_t h, const char *step)
{
	wl_ioctl_result(p, GS_IOC_CLOSE, RACE_NONE, gem_close(fd, h), step, h);
}

/* Import a dma-buf twice on one file: the same handle. Returns the handle
 * (0 when the import failed). */
static uint32_t import_twice(struct wl_proc *p, int fd, int dmabuf, const char *step, uint32_t seq)
{
	uint32_t h, again;
	if (import(p, fd, dmabuf, &h, step, seq))
		return 0;
	if (!import(p, fd, dmabuf, &again, step, seq))
		wl_promise(p, "same_handle_on_reimport", same_handle_on_reimport(h, again),
			   "%s, cycle %u: one dma-buf imported as handle %u, then as %u", step, seq, h, again);
	return h;
}

/* The partner's dma-buf: import twice, close, import again after the last
 * handle is gone. */
static void take_partners(struct wl_proc *p, int fd, int sock)
{
	struct self_passed m;
	int dmabuf;
	if (fdpass_recv(p, sock, &m, sizeof(m), &dmabuf, 1) != 1) {
		wl_anomaly(p, "protocol", "cycle %u: no dma-buf from the partner", m.seq);
		wl_exit(p, 3);
	}
	uint32_t h = import_twice(p, fd, dmabuf, "partner-import", m.seq);
	if (h) {
		close_handle(p, fd, h, "partner-close");
		int r = prime_import(fd, dmabuf, &h);
		wl_promise(p, "reimport_after_close_works", reimport_after_close_works(r),
			   "partner's dma-buf, cycle %u: re-import after close returned %d", m.seq, r);
		if (r == 0)
			close_handle(p, fd, h, "partner-close");
		else
			wl_count_error(p, GS_IOC_PRIME_IMPORT, r);
	}
	close(dmabuf);
}

/* One object through every self-import step; false if it could not be made. */
static bool one_object(struct wl_proc *p, int a, int b, int sock, struct prng *rnd, uint32_t seq)
{
	uint64_t size = (uint64_t)wl_get(p->cfg, "size");
	uint32_t h;
	int r = gem_create(a, p->dev->kind, size, &h);
	if (r) {
		wl_count_error(p, GS_IOC_CREATE, r);
		return false;
	}
	int d1 = -1, d2 = -1;
	if (wl_ioctl_result(p, GS_IOC_PRIME_EXPORT, RACE_NONE, prime_export(a, h, &d1), "export", h) ||
	    wl_ioctl_result(p, GS_IOC_PRIME_EXPORT, RACE_NONE, prime_export(a, h, &d2), "re-export", h)) {
		if (d1 >= 0)
			close(d1);
		close_handle(p, a, h, "export-failed");
		return false;
	}
	/* The inodes are read only when kcmp cannot settle it (or for the report). */
	bool same = same_open_file(d1, d2);
	uint64_t ino1 = 0, ino2 = 0;
	if (!same) {
		ino1 = inode_of(d1);
		ino2 = inode_of(d2);
		same = same_dmabuf_on_reexport(ino1, ino2);
	}
	wl_promise(p, "same_dmabuf_on_reexport", same,
		   "cycle %u: handle %u exported as dma-buf inode %llu, then %llu", seq, h,
		   (unsigned long long)ino1, (unsigned long long)ino2);
	uint32_t self;
	if (!import(p, a, d1, &self, "self-import", seq))
		wl_promise(p, "same_handle_on_reimport", same_handle_on_reimport(h, self),
			   "cycle %u: handle %u exported and imported on its own file as %u", seq, h, self);
	uint32_t hb = import_twice(p, b, d1, "second-file-import", seq);
	uint32_t hb2;
	if (hb && !import(p, b, d2, &hb2, "second-file-import", seq))
		wl_promise(p, "same_handle_on_reimport", same_handle_on_reimport(hb, hb2),
			   "cycle %u: two exports of handle %u imported as %u and %u", seq, h, hb, hb2);

	struct self_passed m = { .seq = seq, .size = size };
	fdpass_send(p, sock, &m, sizeof(m), &d1, 1);
	take_partners(p, b, sock);

	/* Both handles go, in a seeded order; the dma-bufs keep the object. */
	bool a_first = prng_below(rnd, 2);
	if (a_first)
		close_handle(p, a, h, "close-exporter");
	if (hb)
		close_handle(p, b, hb, "close-second-file");
	if (!a_first)
		close_handle(p, a, h, "close-exporter");
	close(d1);
	uint32_t again;
	r = prime_import(b, d2, &again);
	wl_promise(p, "reimport_after_close_works", reimport_after_close_works(r),
		   "cycle %u: re-import after the last handle was closed returned %d", seq, r);
	if (r == 0)
		close_handle(p, b, again, "close-reimport");
	else
		wl_count_error(p, GS_IOC_PRIME_IMPORT, r);
	close(d2);
	int gone = prime_export(a, h, &d1);
	if (gone == 0)
		close(d1);
	wl_promise(p, "handle_gone", handle_gone(gone),
		   "cycle %u: handle %u still exports after it was closed (%d)", seq, h, gone);
	return true;
}

static void self_import_run(struct wl_proc *p) __attribute__((noreturn));
static void self_import_run(struct wl_proc *p)
{
	int a = wl_open_client(p, NULL), b = wl_open_client(p, NULL);
	self_pid = getpid();
	int64_t objects = wl_get(p->cfg, "objects");
	struct prng rnd;
	prng_init(&rnd, p);
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, p->nprocs);
	unsigned errors = 0;
	for (uint32_t seq = 0; !wl_should_stop(p); seq++) {
		wl_pacer_wait(&pacer);
		bool ok = true;
		for (int64_t i = 0; i < objects && ok; i++)
			ok = one_object(p, a, b, p->fds[0], &rnd, seq);
		if (!ok) {
			wl_backoff(&errors);
			continue;
		}
		errors = 0;
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

const struct wl_type wl_self_import = {
	.name = "self-import",
	.summary = "export and re-import on a second file of the same device, in one process and across two",
	.keys = self_import_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_PRIME_EXPORT | GS_CAP_PRIME_IMPORT,
	.nprocs = self_import_nprocs,
	.setup = self_import_setup,
	.fds = layout_fds,
	.teardown = layout_teardown,
	.run = self_import_run,
};
