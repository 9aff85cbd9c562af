/* flink-close-race: GEM_OPEN of a flink name racing GEM_CLOSE of the last
 * handle, and GEM_FLINK racing the name being reaped (seed 002; igt's
 * gem_flink_race). A seeded coin picks the race of each cycle. The racers
 * open names on their own files, as other processes would.
 *
 * Only the documented outcomes are fine: the name or handle is gone
 * (ENOENT), a close finds the handle closed (EINVAL). The promise: while a
 * handle of the object is open, flinking it again yields the same name.
 * Names are the lowest free id, so a name reaped under a racer's handle
 * would come back as the same number when it flinks again; right after
 * its close the main thread names a decoy object, which takes that number
 * if it was freed, and the racer's object then gets another. */
#include <errno.h>

#include "workloads/promises.h"
#include "workloads/race.h"

enum { OPEN_VS_CLOSE, FLINK_VS_CLOSE };

static const struct wl_key flink_close_race_keys[] = {
	RACE_KEYS,
	WL_KEY_END,
};

static bool prepare(struct race *r)
{
	return !wl_ioctl_result(r->p, GS_IOC_FLINK, RACE_NONE, gem_flink(r->fd, r->handle, &r->name), "flink",
				r->handle);
}

/* Flink `handle` on `fd` again: ENOENT when it is gone, else the name. */
static void reflink(struct race *r, int fd, uint32_t handle, const char *step)
{
	uint32_t again;
	if (!wl_ioctl_result(r->p, GS_IOC_FLINK, RACE_CLOSE, gem_flink(fd, handle, &again), step, handle))
		wl_promise(r->p, "same_name_on_reflink", same_name_on_reflink(r->name, again),
			   "%s, cycle %u: flink name %u, flinked again as %u", step, r->seq, r->name, again);
}

static void race(struct race *r, int i)
{
	if (r->mode == FLINK_VS_CLOSE) {
		reflink(r, r->fd, r->handle, "flink-vs-close");
		return;
	}
	int fd = r->racer_fd[i];
	uint32_t h;
	uint64_t size;
	if (wl_ioctl_result(r->p, GS_IOC_OPEN, RACE_CLOSE, gem_open(fd, r->name, &h, &size), "open-vs-close",
			    r->name))
		return;
	/* This racer's handle is open: the object must keep its name. */
	reflink(r, fd, h, "open-vs-close");
	wl_ioctl_result(r->p, GS_IOC_CLOSE, RACE_NONE, gem_close(fd, h), "open-vs-close", h);
}

/* Name a decoy object right after the close (see the top of the file). */
static void name_decoy(struct race *r)
{
	uint32_t name;
	r->decoy = 0;
	if (r->mode != OPEN_VS_CLOSE)
		return;
	int e = gem_create(r->fd, r->p->dev->kind, 4096, &r->decoy);
	if (e) {
		wl_count_error(r->p, GS_IOC_CREATE, e);
		r->decoy = 0;
		return;
	}
	wl_ioctl_result(r->p, GS_IOC_FLINK, RACE_NONE, gem_flink(r->fd, r->decoy, &name), "decoy", r->decoy);
}

static void close_decoy(struct race *r)
{
	if (r->decoy)
		wl_ioctl_result(r->p, GS_IOC_CLOSE, RACE_NONE, gem_close(r->fd, r->decoy), "decoy", r->decoy);
	r->decoy = 0;
}

static const struct race_ops ops = {
	.modes = 2, .racers_own_file = true, .prepare = prepare, .race = race,
	.after_close = name_decoy, .finish = close_decoy,
};

static void flink_close_race_run(struct wl_proc *p) __attribute__((noreturn));
static void flink_close_race_run(struct wl_proc *p)
{
	race_run(p, &ops);
}

const struct wl_type wl_flink_close_race = {
	.name = "flink-close-race",
	.summary = "threads race GEM_OPEN of a flink name and GEM_FLINK against GEM_CLOSE of the last handle",
	.keys = flink_close_race_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK,
	RACE_PROCESSES,
	.run = flink_close_race_run,
};
