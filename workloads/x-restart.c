/* x-restart: display-server restart cycles (the X-with-DRI2 path of seeds
 * 002 and 004: one more leaked object per server restart), simulated.
 *
 * Process 0 starts one short-lived "server" process per generation: it
 * opens the primary node, becomes DRM master, creates `objects` long-lived
 * scan-out-like objects and flinks them, authenticates each client with
 * the GET_MAGIC / AUTH_MAGIC handshake and gives it the names; the clients
 * (processes 1..N start one short-lived client process per generation, as
 * apps connect to the new server) GEM_OPEN the names, check them and close. Then the
 * server exits, having dropped master first in a seeded half of the generations.
 *
 * A restart command (`command =`) or a real server (`server =`) is the
 * display-server type's (workloads/display-server.c); old configs that
 * set them here still run it, with a warning from the config reader.
 *
 * Promises checked: the master authenticates its clients; an open name
 * gives the object's size; flinking it again gives the same name; the
 * server gets master once the previous one is gone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device/master.h"
#include "workloads/child.h"
#include "workloads/display-server.h"
#include "workloads/fd-pass.h"
#include "workloads/layout.h"
#include "workloads/prng.h"
#include "workloads/promises.h"

#define MAX_SCANOUT 8

static const struct wl_key x_restart_keys[] = {
	{ "processes", WK_INT, 0, MAX_CLIENTS, 2, "client processes the server authenticates" },
	{ "objects", WK_INT, 1, MAX_SCANOUT, 1, "scan-out objects the server shares by flink name" },
	DS_KEY_COMMAND, DS_KEY_SERVER, DS_KEY_CLIENT, DS_KEY_TIMEOUT,
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK,
	WL_KEY_END,
};

/* The keys an old config sets for display-server's restarts. */
static const char *const moved_keys[] = { "command", "server", "client", "timeout", NULL };

struct hello { uint32_t gen; };
struct magic_msg { uint32_t gen; uint32_t magic; int32_t status; };
struct grant {
	uint32_t gen;
	int32_t status;     /* 0, or -errno of AUTH_MAGIC */
	uint32_t n;
	uint32_t names[MAX_SCANOUT];
	uint64_t size;
};

/* An old config's command or real server: display-server's run, one
 * process, no clients of ours. */
static bool command_mode(const struct wl_config *cfg)
{
	return wl_get_str(cfg, "command")[0] != '\0' || wl_get_str(cfg, "server")[0] != '\0';
}

static int x_restart_nprocs(const struct wl_config *cfg)
{
	return command_mode(cfg) ? 1 : 1 + (int)wl_get(cfg, "processes");
}

static void *x_restart_setup(const struct wl_config *cfg)
{
	return layout_star_setup(x_restart_nprocs(cfg) - 1);
}

static unsigned x_restart_caps(const struct wl_config *cfg)
{
	return command_mode(cfg) ? 0 : GS_CAP_GEM_CREATE | GS_CAP_FLINK | GS_CAP_MASTER;
}

/* The previous server may still be closing: wait for master a little;
 * its EBUSY answers are counted, still busy after a second is an anomaly. */
static int become_master(struct wl_proc *p, int fd, uint32_t gen)
{
	int r = 0;
	for (int tries = 0; tries < 500; tries++) {
		if (master_is_held(fd))
			return 0;
		r = master_set(fd);
		if (r != -EBUSY)
			break;
		wl_count_error(p, GS_IOC_SET_MASTER, r);
		usleep(2000);
	}
	if (r && r != -EBUSY)
		wl_count_error(p, GS_IOC_SET_MASTER, r);
	wl_promise(p, "master_after_restart", master_after_restart(r), "generation %u: SET_MASTER returned %s",
		   gen, r ? strerrorname_np(-r) ?: "?" : "0");
	return r;
}

/* One server generation, in its own process; returns its exit status. */
static int serve(struct wl_proc *p, uint32_t gen, bool drop_master)
{
	int fd = wl_open_device(p, NULL); /* exits with WL_EXIT_DEVICE when it cannot */
	if (become_master(p, fd, gen))
		return 2;
	struct grant g = { .gen = gen, .size = (uint64_t)wl_get(p->cfg, "size") };
	uint32_t handles[MAX_SCANOUT];
	for (; g.n < (uint32_t)wl_get(p->cfg, "objects"); g.n++) {
		int r = gem_create(fd, p->dev->kind, g.size, &handles[g.n]);
		if (r) {
			wl_count_error(p, GS_IOC_CREATE, r);
			return 2;
		}
		if (wl_ioctl_result(p, GS_IOC_FLINK, RACE_NONE, gem_flink(fd, handles[g.n], &g.names[g.n]),
				    "flink-scanout", handles[g.n]))
			return 2;
	}
	struct hello h = { gen };
	for (int i = 0; i < p->nfds; i++)
		fdpass_send(p, p->fds[i], &h, sizeof(h), NULL, 0);
	for (int i = 0; i < p->nfds; i++) {
		struct magic_msg m;
		fdpass_recv(p, p->fds[i], &m, sizeof(m), NULL, 0);
		g.status = m.status ? m.status
				    : wl_ioctl_result(p, GS_IOC_AUTH_MAGIC, RACE_NONE, master_auth_magic(fd, m.magic),
						      "auth-magic", m.magic);
		fdpass_send(p, p->fds[i], &g, sizeof(g), NULL, 0);
	}
	for (int i = 0; i < p->nfds; i++)
		fdpass_recv(p, p->fds[i], &h, sizeof(h), NULL, 0);
	if (drop_master)
		wl_ioctl_result(p, GS_IOC_DROP_MASTER, RACE_NONE, master_drop(fd), "drop-master", gen);
	return 0; /* exiting closes the file: handles, names and master go */
}

/* Run one generation's server in a child process; true when it
 * succeeded. */
static bool server_generation(struct wl_proc *p, uint32_t gen, void *ctx)
{
	bool drop = prng_below(ctx, 2);
	pid_t pid = child_spawn(p);
	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(serve(p, gen, drop));
	int status = child_reap(p, pid, 0, gen, "server");
	if (status == WL_EXIT_DEVICE)
		wl_exit(p, WL_EXIT_DEVICE); /* the device is gone: the daemon restarts us with backoff */
	return status == 0;
}

/* A client of one generation: authenticate, open the shared objects by
 * name, check them, close. */
static void client_generation(struct wl_proc *p, int sock, uint32_t gen)
{
	int fd = wl_open_client(p, NULL);
	struct magic_msg m = { .gen = gen };
	m.status = wl_ioctl_result(p, GS_IOC_GET_MAGIC, RACE_NONE, master_get_magic(fd, &m.magic), "get-magic",
				   gen);
	fdpass_send(p, sock, &m, sizeof(m), NULL, 0);
	struct grant g;
	fdpass_recv(p, sock, &g, sizeof(g), NULL, 0);
	for (uint32_t i = 0; i < g.n && i < MAX_SCANOUT && g.status == 0; i++) {
		uint32_t h, again;
		uint64_t size;
		if (wl_ioctl_result(p, GS_IOC_OPEN, RACE_NONE, gem_open(fd, g.names[i], &h, &size), "open-scanout",
				    g.names[i]))
			continue;
		wl_promise(p, "size_matches", size_matches(g.size, size),
			   "generation %u: name %u opened with size %llu, created with %llu", gen, g.names[i],
			   (unsigned long long)size, (unsigned long long)g.size);
		if (!wl_ioctl_result(p, GS_IOC_FLINK, RACE_NONE, gem_flink(fd, h, &again), "reflink-scanout", h))
			wl_promise(p, "same_name_on_reflink", same_name_on_reflink(g.names[i], again),
				   "generation %u: name %u flinked again by a client as %u", gen, g.names[i], again);
		wl_ioctl_result(p, GS_IOC_CLOSE, RACE_NONE, gem_close(fd, h), "close-scanout", h);
	}
	close(fd);
	struct hello done = { gen };
	fdpass_send(p, sock, &done, sizeof(done), NULL, 0);
}

static void x_restart_run(struct wl_proc *p) __attribute__((noreturn));
static void x_restart_run(struct wl_proc *p)
{
	if (command_mode(p->cfg))
		display_server_run(p);
	wl_anomaly_share();
	if (p->index == 0) {
		struct prng rnd;
		prng_init(&rnd, p);
		restart_loop(p, server_generation, &rnd);
	}
	/* Each generation's client is a short-lived process, like an app that
	 * connects to the new server and goes. */
	for (;;) {
		struct hello h;
		fdpass_recv(p, p->fds[0], &h, sizeof(h), NULL, 0);
		pid_t pid = child_spawn(p);
		if (pid < 0)
			wl_exit(p, WL_EXIT_SETUP);
		if (pid == 0) {
			client_generation(p, p->fds[0], h.gen);
			_exit(0);
		}
		if (child_reap(p, pid, 0, h.gen, "client") != 0)
			wl_exit(p, 3); /* the server waits for it: restart the workload */
	}
}

const struct wl_type wl_x_restart = {
	.name = "x-restart",
	.summary = "display-server restarts, simulated: master, GET_MAGIC/AUTH_MAGIC, a scan-out object shared by name",
	.keys = x_restart_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK | GS_CAP_MASTER,
	.caps_for = x_restart_caps,
	.nprocs = x_restart_nprocs,
	.setup = x_restart_setup,
	.fds = layout_fds,
	.teardown = layout_teardown,
	.run = x_restart_run,
	.gauges = display_server_gauges,
	.moved_keys = moved_keys,
	.moved_to = "display-server",
};
