/* export-close-race: PRIME_HANDLE_TO_FD racing GEM_CLOSE of the same
 * handle, and PRIME_FD_TO_HANDLE racing GEM_CLOSE (seed 001; igt's
 * prime_self_import export-vs-gem_close-race). A seeded die picks the
 * race of each cycle. In igt's own sequence the racers only close the
 * dma-buf they got: importing it back would give the object a handle
 * again, and the last close of that handle would drop the export and so
 * hide the leak seed 001 leaves.
 *
 * Only the documented outcomes are fine: the export finds the handle
 * gone (ENOENT), a close finds it already closed (EINVAL); an import of a
 * dma-buf the racer holds always works. Afterwards no handle of the object
 * may be left on the file. */
#include <errno.h>
#include <unistd.h>

#include "workloads/promises.h"
#include "workloads/race.h"

enum { EXPORT_VS_CLOSE, IMPORT_VS_CLOSE, EXPORT_ONLY_VS_CLOSE };

static const struct wl_key export_close_race_keys[] = {
	RACE_KEYS,
	{ "import_after_export", WK_INT, 0, 1, 1,
	  "1: one export race also imports the dma-buf back; 0: the export races only close it" },
	WL_KEY_END,
};

static bool prepare(struct race *r)
{
	r->dmabuf = -1;
	return r->mode != IMPORT_VS_CLOSE ||
	       !wl_ioctl_result(r->p, GS_IOC_PRIME_EXPORT, RACE_NONE, prime_export(r->fd, r->handle, &r->dmabuf),
				"export", r->handle);
}

/* Import a dma-buf and close what the import gave. */
static void import_and_close(struct race *r, int dmabuf, const char *step)
{
	uint32_t h;
	if (!wl_ioctl_result(r->p, GS_IOC_PRIME_IMPORT, RACE_CLOSE, prime_import(r->fd, dmabuf, &h), step,
			     r->handle))
		race_close(r, r->fd, h, step);
}

static void race(struct race *r, int i)
{
	if (r->mode == IMPORT_VS_CLOSE) {
		import_and_close(r, r->dmabuf, "import-vs-close");
		return;
	}
	int d;
	if (!wl_ioctl_result(r->p, GS_IOC_PRIME_EXPORT, RACE_CLOSE, prime_export(r->fd, r->handle, &d),
			     "export-vs-close", r->handle)) {
		if (r->mode == EXPORT_VS_CLOSE && wl_get(r->p->cfg, "import_after_export"))
			import_and_close(r, d, "export-vs-close");
		close(d);
	}
}

static void finish(struct race *r)
{
	if (r->dmabuf >= 0)
		close(r->dmabuf);
	int d, e = prime_export(r->fd, r->handle, &d);
	if (e == 0)
		close(d);
	wl_promise(r->p, "handle_gone", handle_gone(e),
		   "%s, cycle %u: handle %u still exports after every thread closed it (%d)",
		   r->mode == IMPORT_VS_CLOSE ? "import-vs-close" : "export-vs-close", r->seq, r->handle, e);
}

static const struct race_ops ops = {
	.modes = 3, .racers_own_file = false, .prepare = prepare, .race = race, .finish = finish,
};

static void export_close_race_run(struct wl_proc *p) __attribute__((noreturn));
static void export_close_race_run(struct wl_proc *p)
{
	race_run(p, &ops);
}

const struct wl_type wl_export_close_race = {
	.name = "export-close-race",
	.summary = "threads race PRIME export and import against GEM_CLOSE of the same handle",
	.keys = export_close_race_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_PRIME_EXPORT | GS_CAP_PRIME_IMPORT,
	RACE_PROCESSES,
	.run = export_close_race_run,
};
