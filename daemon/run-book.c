#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "analysis/run.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/run-book.h"
#include "daemon/server-state.h"
#include "db/store.h"
#include "device/i915.h"

struct run_start {
	int64_t run_id;
	bool continued;
	uint64_t cycles_base;   /* add to the workloads' cycles in each tick */
	struct run_clock clock; /* the run's own clock (daemon/run-clock.h) */
	char why[512];          /* why a new run was started, or the gap */
};

/* Why the last run cannot go on; NULL when it can. */
static const char *new_run_reason(const struct run_tail *last, const struct run_info *ri,
				  bool force_new)
{
	if (force_new)
		return "a new run was asked for (--new-run)";
	/* Counters are the kernel's since its boot, on one machine and
	 * device: a run goes on only there. */
	if (last->merged)
		return "the last run was merged from another database";
	if (strcmp(last->hostname, ri->hostname ? ri->hostname : "") != 0)
		return "the host name changed";
	if (strcmp(last->device, ri->device ? ri->device : "") != 0)
		return "the device changed";
	if (!last->boot_id[0] || strcmp(last->boot_id, ri->boot_id ? ri->boot_id : "") != 0)
		return last->boot_id[0] ? "the machine booted again (another boot id)"
					: "the last run recorded no boot id";
	if (strcmp(last->kernel_release, ri->kernel_release ? ri->kernel_release : "") != 0)
		return "the kernel release changed";
	if (strcmp(last->config_text, ri->config_text ? ri->config_text : "") != 0)
		return "the configuration changed";
	return NULL;
}

/* Record the run's clock anchor with it, for a restart in the same boot. */
static int record_clock(struct store *st, int64_t run_id, const struct run_clock *c)
{
	char v[64];
	snprintf(v, sizeof(v), "%.6f", c->wall0);
	if (store_run_prop(st, run_id, "clock.wall0", v))
		return -1;
	snprintf(v, sizeof(v), "%.6f", c->boot0);
	return store_run_prop(st, run_id, "clock.boot0", v);
}

/* The continued run's clock: the one it recorded when it is of this
 * boot (boottime only grows within one), else anchored so that its time
 * goes on from its last tick, or from now when that is later. */
static bool continue_clock(const struct run_tail *last, double end, double now, double boot,
			   struct run_clock *c)
{
	if (last->clock_boot0 > 0 && last->clock_boot0 <= boot) {
		run_clock_init(c, last->clock_wall0, last->clock_boot0, now, boot);
		return false;
	}
	run_clock_init(c, now > end ? now : end, boot, now, boot);
	return true;
}

/* Continue the last run or begin one, the wall clock reading `now` and
 * CLOCK_BOOTTIME `boot`. A new run's clock starts at now; a continued
 * run keeps the clock recorded with it, so the gap is the time elapsed
 * since its last tick whatever the wall clock did meanwhile (a run
 * without one, written before, goes on from its last tick or now,
 * whichever is later). 0, or -1 (store error). */
static int run_start(struct store *st, const struct run_info *ri, bool force_new, double now, double boot,
		     struct run_start *out)
{
	struct run_tail last;
	memset(out, 0, sizeof(*out));
	int found = store_last_run(st, &last);
	if (found < 0)
		return -1;
	const char *reason = found ? new_run_reason(&last, ri, force_new) : "the database has no run yet";
	if (!reason) {
		double end = last.last_t > last.stopped ? last.last_t : last.stopped;
		if (end <= 0)
			end = last.started;
		out->run_id = last.id;
		out->continued = true;
		out->cycles_base = last.last_cycles;
		bool anchored = continue_clock(&last, end, now, boot, &out->clock);
		double run_now = run_clock_at(&out->clock, boot);
		int used = snprintf(out->why, sizeof(out->why),
				    "run %lld continues after %.0f s without samples (same host, boot, device, kernel"
				    " and configuration)", (long long)last.id, run_now - end);
		if (now - run_now >= RUN_CLOCK_STEP_S || run_now - now >= RUN_CLOCK_STEP_S)
			snprintf(out->why + used, sizeof(out->why) - (size_t)used,
				 "; the wall clock is %+.0f s from the run's own clock, which goes on", now - run_now);
		free(last.config_text);
		if (anchored && record_clock(st, last.id, &out->clock))
			return -1;
		return store_resume_run(st, last.id);
	}
	snprintf(out->why, sizeof(out->why), "new run: %s", reason);
	free(last.config_text);
	if (store_begin_run(st, now, ri, &out->run_id))
		return -1;
	run_clock_init(&out->clock, now, boot, now, boot);
	if (record_clock(st, out->run_id, &out->clock))
		return -1;
	return ri->boot_id && ri->boot_id[0] ? store_run_prop(st, out->run_id, "boot_id", ri->boot_id) : 0;
}

static char *caps_text(unsigned caps, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned bit = 1; bit && bit <= caps; bit <<= 1)
		if (caps & bit && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 device_cap_name(bit));
	return buf;
}

/* Each workload's seed, so a run's pseudo-random choices can be replayed. */
static void record_seeds(struct server *s)
{
	for (size_t i = 0; i < s->cfg->nworkloads; i++) {
		const struct wl_config *w = &s->cfg->workloads[i];
		char key[96], val[32];
		snprintf(key, sizeof(key), "seed.%s", w->name);
		snprintf(val, sizeof(val), "%lld", (long long)wl_get(w, "seed"));
		if (store_run_prop(s->st, s->run.id, key, val))
			log_err("cannot record %s: %s", key, store_errmsg(s->st));
	}
}

/* What decides whether seed 004's VMA leak can happen on this machine. */
static void record_i915_props(struct server *s)
{
	char v[32];
	snprintf(v, sizeof(v), "%s", s->dev->i915_ppgtt < 0 ? "unknown" : i915_ppgtt_name(s->dev->i915_ppgtt));
	store_run_prop(s->st, s->run.id, "i915.ppgtt", v);
	if (s->dev->i915_chipset >= 0) {
		snprintf(v, sizeof(v), "0x%04x", (unsigned)s->dev->i915_chipset);
		store_run_prop(s->st, s->run.id, "gpu.pci_device_id", v);
	}
}

int run_book_begin(struct server *s, bool force_new)
{
	struct utsname u;
	uname(&u);
	char host[256] = "", caps[256];
	gethostname(host, sizeof(host) - 1);
	struct run_info ri = {
		.hostname = host, .kernel_release = u.release, .kernel_version = u.version,
		.device = s->dev->path, .driver = s->dev->driver,
		.capabilities = caps_text(s->dev->caps, caps, sizeof(caps)),
		.config_path = s->cfg->path, .config_text = s->cfg->text,
	};
	char boot_id[64] = "";
	char *boot = read_text_file("/proc/sys/kernel/random/boot_id", NULL);
	if (boot) {
		snprintf(boot_id, sizeof(boot_id), "%.*s", (int)strcspn(boot, "\n"), boot);
		free(boot);
	}
	ri.boot_id = boot_id;
	struct run_start rs;
	if (run_start(s->st, &ri, force_new, now_realtime(), run_clock_boottime(), &rs) ||
	    store_set_setting(s->st, "window_s", (double)(s->cfg->trend_window_ms / 1000))) {
		log_err("%s: cannot record the run: %s", s->cfg->database, store_errmsg(s->st));
		return -1;
	}
	s->run.id = rs.run_id;
	s->run.cycles_base = rs.cycles_base;
	s->run.clock = rs.clock;
	/* The gap (or new-run), the run's facts and its run-start land in one
	 * transaction: a SIGKILL between them left a gap without its start. */
	bool tx = store_batch_begin(s->st) == 0;
	server_emit(s, rs.continued ? LOG_WARNING : LOG_INFO, "daemon", rs.continued ? "gap" : "new-run", rs.why);
	record_seeds(s);
	/* A daemon that died during a pause left its row open: its workers
	 * died with it (PR_SET_PDEATHSIG), so the pause ended then. */
	if (rs.continued && store_probe_close_open(s->st, s->run.id) < 0)
		log_err("cannot close the last life's probe pause: %s", store_errmsg(s->st));
	if (s->dev->kind == GS_DRIVER_I915)
		record_i915_props(s);
	char msg[512];
	snprintf(msg, sizeof(msg), "run %lld on %s (%s), kernel %s, %zu workload(s), interval %.1fs",
		 (long long)s->run.id, s->dev->path, s->dev->driver, u.release, s->cfg->nworkloads,
		 (double)s->cfg->interval_ms / 1000.0);
	server_emit(s, LOG_NOTICE, "daemon", "run-start", msg);
	if (tx && store_batch_end(s->st))
		log_err("%s: cannot record the run's start: %s", s->cfg->database, store_errmsg(s->st));
	return 0;
}

/* Samples written to a removed or replaced file would go with it. The
 * old file is closed first: its -wal next to the path must be gone before
 * SQLite looks at what is there now, or it would take it for that file's.
 * If the path cannot be opened, try again next round; the rounds
 * meanwhile wait in the sampler's backlog. */
void run_book_reopen_if_replaced(struct server *s)
{
	if (!store_file_replaced(s->st))
		return;
	if (s->st) {
		s->run.replaced = s->run.id;
		/* a judgement's state reads only what was written since: the
		 * new file starts one anew */
		gs_run_state_free(s->judged);
		s->judged = NULL;
		s->sampler.ctx.analysis_bytes = 0;
		store_close(s->st);
		s->st = s->sampler.st = NULL;
	}
	char err[1024];
	struct store *st;
	if (store_open_flags(s->cfg->database, STORE_EXCLUSIVE, &st, err, sizeof(err))) {
		if (strcmp(err, s->run.reopen_error) != 0)
			log_err("the database file was removed or replaced and cannot be opened again: %s", err);
		snprintf(s->run.reopen_error, sizeof(s->run.reopen_error), "%s", err);
		return;
	}
	s->run.reopen_error[0] = '\0';
	int64_t old_run = s->run.replaced;
	s->st = s->sampler.st = st;
	if (run_book_begin(s, true))
		return;
	s->sampler.run_id = s->run.id;
	s->sampler.cycles_base = s->run.cycles_base;
	char msg[700];
	snprintf(msg, sizeof(msg), "%s was removed or replaced while run %lld was being recorded; "
		 "continuing in a new file", s->cfg->database, (long long)old_run);
	server_emit(s, LOG_WARNING, "daemon", "store-replaced", msg);
}
