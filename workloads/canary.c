/* canary: flink-share that deliberately keeps one buffer-object handle
 * open every `leak_every` cycles. A leak of known rate lets a user prove
 * on their own machine that sampling, store and trends see a leak.
 * It runs only when configured. */
#include "workloads/flink-share.h"

static const struct wl_key canary_keys[] = {
	FLINK_SHARE_KEYS,
	{ "leak_every", WK_INT, 1, 1000000000, 100, "keep one handle open every N cycles" },
	WL_KEY_END,
};

static void canary_run(struct wl_proc *p) __attribute__((noreturn));
static void canary_run(struct wl_proc *p)
{
	flink_share_run_roles(p, wl_get(p->cfg, "leak_every"));
}

const struct wl_type wl_canary = {
	.name = "canary",
	.summary = "flink-share that leaks one object every leak_every cycles, on purpose",
	.keys = canary_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK,
	FLINK_SHARE_PROCESSES,
	.run = canary_run,
};
