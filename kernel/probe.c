/* The races are igt's: gem_flink_race/flink_close and flink_name, and
 * prime_self_import/export-vs-gem_close-race. Threads share one DRM file
 * and fight over handle 1; afterwards the file is closed, so on a fixed
 * kernel every name and dma-buf it made is gone and the counter is back at
 * its start. The prime-cache probe is no race: it counts the dma-bufs one
 * long-lived file keeps after its handles and fds are closed (seed 000),
 * so it reads the counter before it closes the file. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "device/device.h"
#include "device/gem.h"
#include "kernel/probe.h"
#include "sources/sources.h"

#define PROBE_MAX_THREADS 16

enum probe_kind { PROBE_FLINK, PROBE_EXPORT, PROBE_CACHE, PROBE_FLINK_NAME };

static const struct {
	const char *name;
	enum probe_kind kind;
	unsigned caps;
	const char *counter;   /* for messages */
} probes[] = {
	{ "flink-close-race", PROBE_FLINK, GS_CAP_GEM_CREATE | GS_CAP_FLINK, "flink names (gem_names)" },
	{ "export-close-race", PROBE_EXPORT, GS_CAP_GEM_CREATE | GS_CAP_PRIME_EXPORT, "dma-bufs (dma_buf/bufinfo)" },
	{ "prime-cache-release", PROBE_CACHE, GS_CAP_GEM_CREATE | GS_CAP_PRIME_EXPORT,
	  "dma-bufs (dma_buf/bufinfo) on the open file" },
	{ "flink-name-race", PROBE_FLINK_NAME, GS_CAP_GEM_CREATE | GS_CAP_FLINK,
	  "GEM_OPENs of name 1 whose object then flinked to another name" },
};

static int probe_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		if (strcmp(probes[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool gs_probe_known(const char *name)
{
	return probe_index(name) >= 0;
}

int64_t gs_probe_count(const char *name, const char *text)
{
	int i = probe_index(name);
	if (i < 0)
		return -1;
	if (probes[i].kind == PROBE_FLINK || probes[i].kind == PROBE_FLINK_NAME) {
		struct gem_names_stats st;
		return parse_gem_names(text, &st) == 0 ? (int64_t)st.names : -1;
	}
	uint64_t objects, bytes;
	return parse_dmabuf_bufinfo(text, &objects, &bytes) == 0 ? (int64_t)objects : -1;
}

struct race {
	int fd;
	enum probe_kind kind;
	enum gs_driver_kind driver;
	double until;
	atomic_uint_fast64_t cycles;
	atomic_uint_fast64_t broken;   /* flink-name: re-flinks that gave another name */
};

/* flink-name's openers: GEM_OPEN name 1; a handle got that way must flink
 * back to name 1, since the name lives as long as any handle does. */
static void *open_thread(void *arg)
{
	struct race *r = arg;
	uint64_t n = 0, broken = 0;
	while (now_monotonic() < r->until) {
		uint32_t h, name;
		uint64_t size;
		if (gem_open(r->fd, 1, &h, &size) == 0) {
			if (gem_flink(r->fd, h, &name) == 0 && name != 1)
				broken++;
			gem_close(r->fd, h);
		}
		n++;
	}
	atomic_fetch_add(&r->cycles, n);
	atomic_fetch_add(&r->broken, broken);
	return NULL;
}

/* flink-name's maker: a new object named (by the lowest free id: 1 while
 * no other name lives) and closed, over and over. */
static void *name_thread(void *arg)
{
	struct race *r = arg;
	uint64_t n = 0;
	while (now_monotonic() < r->until) {
		uint32_t h, name;
		if (gem_create(r->fd, r->driver, 4096, &h) < 0)
			break;
		gem_flink(r->fd, h, &name);
		gem_close(r->fd, h);
		n++;
	}
	atomic_fetch_add(&r->cycles, n);
	return NULL;
}

/* The prime-cache probe: export and close everything, on one file. */
static uint64_t cache_cycles(struct race *r)
{
	uint64_t n = 0;
	while (now_monotonic() < r->until) {
		uint32_t h;
		int dmabuf = -1;
		if (gem_create(r->fd, r->driver, 4096, &h) < 0)
			break;
		if (prime_export(r->fd, h, &dmabuf) == 0)
			close(dmabuf);
		gem_close(r->fd, h);
		n++;
	}
	return n;
}

/* One thread: make sure handle 1 exists, then share and close it. */
static void *race_thread(void *arg)
{
	struct race *r = arg;
	uint64_t n = 0;
	while (now_monotonic() < r->until) {
		uint32_t h;
		if (gem_create(r->fd, r->driver, 4096, &h) == 0 && h != 1)
			gem_close(r->fd, h);
		if (r->kind == PROBE_FLINK) {
			uint32_t name;
			gem_flink(r->fd, 1, &name);
		} else {
			int dmabuf = -1;
			if (prime_export(r->fd, 1, &dmabuf) == 0) {
				gem_close(r->fd, 1);
				close(dmabuf);
				n++;
				continue;
			}
		}
		gem_close(r->fd, 1);
		n++;
	}
	atomic_fetch_add(&r->cycles, n);
	return NULL;
}

/* Read the probe's counter; -1 with why set when unreadable. */
static int64_t read_count(int i, const struct gs_probe_env *env, int minor, char *why, size_t whylen)
{
	char rel[64], path[512];
	if (probes[i].kind == PROBE_FLINK || probes[i].kind == PROBE_FLINK_NAME)
		snprintf(rel, sizeof(rel), "dri/%d/gem_names", minor);
	else
		snprintf(rel, sizeof(rel), "dma_buf/bufinfo");
	char *text = source_read_under(env->debugfs, rel, path, sizeof(path), why, whylen);
	if (!text)
		return -1;
	int64_t n = gs_probe_count(probes[i].name, text);
	free(text);
	if (n < 0)
		(void)fmt_ok(why, whylen, "%s: not in a format gemsoak knows", path);
	return n;
}

void gs_probe_run(const char *name, const struct gs_probe_env *env, struct gs_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	int i = probe_index(name);
	if (i < 0) {
		snprintf(r->why, sizeof(r->why), "no probe called %s", name);
		return;
	}
	char path[256], err[256];
	struct gs_device dev;
	if (device_resolve(env->device, path, sizeof(path), err, sizeof(err)) < 0 ||
	    device_probe(path, &dev, err, sizeof(err)) < 0) {
		snprintf(r->why, sizeof(r->why), "no device: %s", err);
		return;
	}
	if ((dev.caps & probes[i].caps) != probes[i].caps || dev.card_minor < 0) {
		snprintf(r->why, sizeof(r->why), "%s (%s) cannot run it", dev.path, dev.driver);
		return;
	}
	int64_t before = read_count(i, env, dev.card_minor, r->why, sizeof(r->why));
	if (before < 0)
		return;
	struct race race = { .kind = probes[i].kind, .driver = dev.kind,
			     .until = now_monotonic() + env->seconds };
	race.fd = device_open_fd(dev.path);
	if (race.fd < 0) {
		snprintf(r->why, sizeof(r->why), "%s: %s", dev.path, strerror(-race.fd));
		return;
	}
	int started = 0, want = env->threads < 1 ? 1 : env->threads > PROBE_MAX_THREADS ? PROBE_MAX_THREADS : env->threads;
	int64_t after;
	if (probes[i].kind == PROBE_CACHE) {
		started = 1;
		atomic_store(&race.cycles, cache_cycles(&race));
		after = read_count(i, env, dev.card_minor, r->why, sizeof(r->why));
		close(race.fd);
	} else {
		/* flink-name: one thread makes and closes name 1, the rest open it. */
		pthread_t tids[PROBE_MAX_THREADS];
		if (probes[i].kind == PROBE_FLINK_NAME && want < 2)
			want = 2;
		while (started < want) {
			void *(*fn)(void *) = probes[i].kind != PROBE_FLINK_NAME ? race_thread :
					      started == 0 ? name_thread : open_thread;
			if (pthread_create(&tids[started], NULL, fn, &race) != 0)
				break;
			started++;
		}
		for (int t = 0; t < started; t++)
			pthread_join(tids[t], NULL);
		close(race.fd);
		after = read_count(i, env, dev.card_minor, r->why, sizeof(r->why));
	}
	if (after < 0)
		return;
	r->ran = started > 0;
	r->cycles = (uint64_t)atomic_load(&race.cycles);
	if (probes[i].kind == PROBE_FLINK_NAME)
		r->leaked = (uint64_t)atomic_load(&race.broken);
	else
		r->leaked = after > before ? (uint64_t)(after - before) : 0;
	snprintf(r->why, sizeof(r->why), "%s on %s (%s), %d threads: %" PRIu64 " cycles, %" PRIu64 " more %s",
		 name, dev.path, dev.driver, started, r->cycles, r->leaked, probes[i].counter);
}
