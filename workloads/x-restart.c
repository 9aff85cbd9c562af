/* x-restart: display-server restart cycles (the X-with-DRI2 path of seeds
 * 002 and 004: one more leaked object per server restart).
 *
 * Process 0 starts one short-lived "server" process per generation: it
 * opens the primary node, becomes DRM master, creates `objects` long-lived
 * scan-out-like objects and flinks them, authenticates each client with
 * the GET_MAGIC / AUTH_MAGIC handshake and gives it the names; the clients
 * (processes 1..N start one short-lived client process per generation, as
 * apps connect to the new server) GEM_OPEN the names, check them and close. Then the server
 * exits, having dropped master first in a seeded half of the generations.
 *
 * With `command =`, each cycle instead runs that restart command (for a
 * machine with a real display server) under /bin/sh, within `timeout`.
 *
 * Promises checked: the master authenticates its clients; an open name
 * gives the object's size; flinking it again gives the same name; the
 * server gets master once the previous one is gone. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "device/master.h"
#include "workloads/promises.h"
#include "workloads/share.h"

#define MAX_SCANOUT 8
#define MAX_CLIENTS (WL_MAX_FDS - 1)

static const struct wl_key x_restart_keys[] = {
	{ "processes", WK_INT, 0, MAX_CLIENTS, 2, "client processes the server authenticates" },
	{ "objects", WK_INT, 1, MAX_SCANOUT, 1, "scan-out objects the server shares by flink name" },
	{ "command", WK_STRING, 0, 0, 0, "restart command run under /bin/sh each cycle instead (default: none)" },
	{ "timeout", WK_DURATION, 1000, 86400000, 60000, "the restart command's time limit" },
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK,
	WL_KEY_END,
};

struct hello { uint32_t gen; };
struct magic_msg { uint32_t gen; uint32_t magic; int32_t status; };
struct grant {
	uint32_t gen;
	int32_t status;     /* 0, or -errno of AUTH_MAGIC */
	uint32_t n;
	uint32_t names[MAX_SCANOUT];
	uint64_t size;
};

static bool command_mode(const struct wl_config *cfg)
{
	return wl_get_str(cfg, "command")[0] != '\0';
}

static int x_restart_nprocs(const struct wl_config *cfg)
{
	return command_mode(cfg) ? 1 : 1 + (int)wl_get(cfg, "processes");
}

static void *x_restart_setup(const struct wl_config *cfg)
{
	return wl_star_setup(x_restart_nprocs(cfg) - 1);
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
		wl_send_msg(p, p->fds[i], &h, sizeof(h), NULL, 0);
	for (int i = 0; i < p->nfds; i++) {
		struct magic_msg m;
		wl_recv_msg(p, p->fds[i], &m, sizeof(m), NULL, 0);
		g.status = m.status ? m.status
				    : wl_ioctl_result(p, GS_IOC_AUTH_MAGIC, RACE_NONE, master_auth_magic(fd, m.magic),
						      "auth-magic", m.magic);
		wl_send_msg(p, p->fds[i], &g, sizeof(g), NULL, 0);
	}
	for (int i = 0; i < p->nfds; i++)
		wl_recv_msg(p, p->fds[i], &h, sizeof(h), NULL, 0);
	if (drop_master)
		wl_ioctl_result(p, GS_IOC_DROP_MASTER, RACE_NONE, master_drop(fd), "drop-master", gen);
	return 0; /* exiting closes the file: handles, names and master go */
}

/* Wait for a child within `limit` seconds (0 = forever); -1 on timeout. */
static int wait_child(pid_t pid, double limit, int *status)
{
	double end = limit > 0 ? now_monotonic() + limit : 0;
	for (;;) {
		pid_t r = waitpid(pid, status, limit > 0 ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (end && now_monotonic() > end)
			return -1;
		if (limit > 0)
			usleep(10000);
	}
}

/* A child process for one generation's server, restart command or
 * client; it dies with its worker. Returns its pid (0 in the child), or
 * -1 after reporting why not. */
static pid_t spawn(struct wl_proc *p)
{
	pid_t pid = fork();
	if (pid < 0)
		wl_report(p, "setup", "fork: %s", strerror(errno));
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

/* Wait for a generation's child (within limit seconds, 0 = forever) and
 * report how it ended if not well; its exit status, or -1. */
static int reap(struct wl_proc *p, pid_t pid, double limit, uint32_t gen, const char *who)
{
	int status = 0;
	if (wait_child(pid, limit, &status) < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		wl_anomaly(p, "restart-timeout", "generation %u: %s still running after %.0f s; killed", gen,
			   who, limit);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		wl_anomaly(p, "signal", "generation %u: %s killed by signal %s", gen, who,
			   sigabbrev_np(WTERMSIG(status)) ?: "?");
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Run one generation (server or restart command) in a child process;
 * true when it succeeded. */
static bool run_generation(struct wl_proc *p, uint32_t gen, struct wl_rand *rnd)
{
	const char *cmd = wl_get_str(p->cfg, "command");
	bool drop = wl_rand_below(rnd, 2);
	pid_t pid = spawn(p);
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (!*cmd)
			_exit(serve(p, gen, drop));
		/* Its own process group, apart from the workload's: on timeout
		 * one kill(-pid) ends the command and all it started, and must
		 * not reach the workers. The shell dies with its worker (the
		 * parent-death signal); what it started is the restart's own. */
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (!*cmd) {
		int status = reap(p, pid, 0, gen, "server");
		if (status == WL_EXIT_DEVICE)
			wl_exit(p, WL_EXIT_DEVICE); /* the device is gone: the daemon restarts us with backoff */
		return status == 0;
	}
	char who[WL_STR_MAX + 2];
	snprintf(who, sizeof(who), "'%s'", cmd);
	int status = reap(p, pid, (double)wl_get(p->cfg, "timeout") / 1000.0, gen, who);
	if (status > 0)
		wl_anomaly(p, "restart-failed", "generation %u: %s exited with status %d", gen, who, status);
	return status == 0;
}

static void server_loop(struct wl_proc *p) __attribute__((noreturn));
static void server_loop(struct wl_proc *p)
{
	struct wl_rand rnd;
	wl_rand_init(&rnd, p);
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, wl_get(p->cfg, "rate"), 1);
	unsigned errors = 0;
	for (uint32_t gen = 0; !wl_should_stop(p); gen++) {
		wl_pacer_wait(&pacer);
		if (!run_generation(p, gen, &rnd)) {
			wl_backoff(&errors);
			continue;
		}
		errors = 0;
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

/* A client of one generation: authenticate, open the shared objects by
 * name, check them, close. */
static void client_generation(struct wl_proc *p, int sock, uint32_t gen)
{
	int fd = wl_open_client(p, NULL);
	struct magic_msg m = { .gen = gen };
	m.status = wl_ioctl_result(p, GS_IOC_GET_MAGIC, RACE_NONE, master_get_magic(fd, &m.magic), "get-magic",
				   gen);
	wl_send_msg(p, sock, &m, sizeof(m), NULL, 0);
	struct grant g;
	wl_recv_msg(p, sock, &g, sizeof(g), NULL, 0);
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
	wl_send_msg(p, sock, &done, sizeof(done), NULL, 0);
}

static void x_restart_run(struct wl_proc *p) __attribute__((noreturn));
static void x_restart_run(struct wl_proc *p)
{
	wl_anomaly_share();
	if (p->index == 0)
		server_loop(p);
	/* Each generation's client is a short-lived process, like an app that
	 * connects to the new server and goes. */
	for (;;) {
		struct hello h;
		wl_recv_msg(p, p->fds[0], &h, sizeof(h), NULL, 0);
		pid_t pid = spawn(p);
		if (pid < 0)
			wl_exit(p, 5);
		if (pid == 0) {
			client_generation(p, p->fds[0], h.gen);
			_exit(0);
		}
		if (reap(p, pid, 0, h.gen, "client") != 0)
			wl_exit(p, 3); /* the server waits for it: restart the workload */
	}
}

const struct wl_type wl_x_restart = {
	.name = "x-restart",
	.summary = "display-server restarts: master, GET_MAGIC/AUTH_MAGIC, a scan-out object shared by name",
	.keys = x_restart_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK | GS_CAP_MASTER,
	.caps_for = x_restart_caps,
	.nprocs = x_restart_nprocs,
	.setup = x_restart_setup,
	.fds = wl_layout_fds,
	.teardown = wl_layout_teardown,
	.run = x_restart_run,
};
