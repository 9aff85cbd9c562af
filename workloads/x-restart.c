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
 * With `server =`, each cycle restarts a real display server on the
 * device: it starts the server command (`exec` under /bin/sh, fd 3 a pipe on
 * which the server says it is ready by writing its display number, as
 * Xorg's -displayfd 3 does), runs `processes` copies of the `client`
 * command against it (DISPLAY set), stops it with SIGTERM and checks that
 * the CRTC scans out again the framebuffer it scanned out before the
 * first start (the console's, fbcon's). Every step within `timeout`.
 *
 * Promises checked: the master authenticates its clients; an open name
 * gives the object's size; flinking it again gives the same name; the
 * server gets master once the previous one is gone. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fork-clean.h"
#include "common/util.h"
#include "device/kms.h"
#include "device/master.h"
#include "workloads/fd-pass.h"
#include "workloads/layout.h"
#include "workloads/prng.h"
#include "workloads/promises.h"

#define MAX_SCANOUT 8
#define MAX_CLIENTS (WL_MAX_FDS - 1)

static const struct wl_key x_restart_keys[] = {
	{ "processes", WK_INT, 0, MAX_CLIENTS, 2, "client processes the server authenticates; with server, clients run against each one" },
	{ "objects", WK_INT, 1, MAX_SCANOUT, 1, "scan-out objects the server shares by flink name" },
	{ "command", WK_STRING, 0, 0, 0, "restart command run under /bin/sh each cycle instead (default: none)" },
	{ "server", WK_STRING, 0, 0, 0, "display server started each cycle instead, ready when it writes its display number to fd 3 (default: none)" },
	{ "client", WK_STRING, 0, 0, 0, "with server: command each of the processes runs against it, DISPLAY set (default: none)" },
	{ "timeout", WK_DURATION, 1000, 86400000, 60000, "time limit of the restart command, or of each server step" },
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

/* The gauges of the server mode (workload.NAME.GAUGE). */
enum { G_READY_MS, G_CYCLE_MS, G_FAILED };
static const struct wl_gauge x_restart_gauges[] = {
	{ "ready_ms", false, "how long the last server took to be ready" },
	{ "cycle_ms", false, "how long the last restart took, clients and console check included" },
	{ "failed", true, "restarts that failed" },
	{ NULL, false, NULL },
};

static bool server_mode(const struct wl_config *cfg)
{
	return wl_get_str(cfg, "server")[0] != '\0';
}

/* A command or a real server: one process per cycle, no clients of ours. */
static bool command_mode(const struct wl_config *cfg)
{
	return wl_get_str(cfg, "command")[0] != '\0' || server_mode(cfg);
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

/* Wait for a child to exit within `limit` seconds (0 = forever), leaving
 * it unreaped: while it is a zombie its pid cannot name another process
 * group. 0 when it exited, -1 on timeout. */
static int wait_exit(pid_t pid, double limit)
{
	double end = limit > 0 ? now_monotonic() + limit : 0;
	for (;;) {
		siginfo_t si = { .si_pid = 0 };
		int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | (limit > 0 ? WNOHANG : 0));
		if (r == 0 && si.si_pid == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (end && now_monotonic() > end)
			return -1;
		if (limit > 0)
			usleep(10000);
	}
}

/* A child that exited: SIGKILL what is left in its process group (what a
 * command started in the background; nothing when the child had no group
 * of its own), then reap it into *status. */
static void end_group(pid_t pid, int *status)
{
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* Wait for a child within `limit` seconds (0 = forever) and end what it
 * left in its group; -1 on timeout (the child still runs). */
static int wait_child(pid_t pid, double limit, int *status)
{
	if (wait_exit(pid, limit) < 0)
		return -1;
	end_group(pid, status);
	return 0;
}

/* A child process for one generation's server, restart command or
 * client; it dies with its worker, and starts with the default signal
 * handlers (not the worker's SIGTERM handler, which stops the server).
 * Returns its pid (0 in the child), or -1 after reporting why not. */
static pid_t spawn(struct wl_proc *p)
{
	pid_t pid = fork_clean();
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

/* Start `cmd` under /bin/sh in a process group of its own (one kill(-pid)
 * ends it and all it started, never the workers), fd 3 being `fd3` when
 * not -1 and DISPLAY `display` when not NULL. The parent-death signal is
 * `deathsig`: SIGTERM lets a display server give the console back when its
 * worker dies. What the command leaves in its group when it exits is
 * killed then (wait_child). Returns the pid, or -1 after reporting why not. */
static pid_t spawn_sh(struct wl_proc *p, const char *cmd, int fd3, const char *display, int deathsig)
{
	pid_t pid = spawn(p);
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, deathsig);
	setpgid(0, 0);
	if (fd3 == 3) {
		fcntl(3, F_SETFD, 0);
	} else if (fd3 >= 0) {
		dup2(fd3, 3); /* the copy is not close-on-exec */
		close(fd3);
	}
	if (display)
		setenv("DISPLAY", display, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Wait until the server writes its display number and a newline on
 * `rfd`, within `limit` seconds. Returns the number, -1 when the server
 * closed the pipe first (exited), -2 on timeout. */
static int wait_ready(int rfd, double limit)
{
	char buf[32];
	size_t n = 0;
	double end = now_monotonic() + limit;
	while (n < sizeof(buf) - 1) {
		double left = end - now_monotonic();
		if (left <= 0)
			return -2;
		struct pollfd pfd = { rfd, POLLIN, 0 };
		int r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -2;
		ssize_t got = read(rfd, buf + n, sizeof(buf) - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		n += (size_t)got;
		buf[n] = '\0';
		if (strchr(buf, '\n'))
			return atoi(buf);
	}
	return atoi(buf);
}

/* Stop a process group with `sig` and wait for its leader within limit
 * seconds, then with SIGKILL. Returns 0 when it went in time (status set),
 * -1 when it had to be killed. */
static int stop_group(pid_t pid, int sig, double limit, int *status)
{
	kill(-pid, sig);
	kill(pid, sig);
	if (wait_child(pid, limit, status) == 0)
		return 0;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

/* "exited with status N" or "killed by signal S" for a wait status. */
static const char *how_ended(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	return buf;
}

/* Run `processes` copies of the client command against display :n at
 * once and wait for all of them; true when every one exited with 0. */
static bool run_clients(struct wl_proc *p, uint32_t gen, int display, double limit)
{
	const char *cmd = wl_get_str(p->cfg, "client");
	int n = *cmd ? (int)wl_get(p->cfg, "processes") : 0;
	pid_t pids[MAX_CLIENTS];
	char disp[16], how[48];
	snprintf(disp, sizeof(disp), ":%d", display);
	bool ok = true;
	int started = 0;
	for (; started < n; started++) {
		pids[started] = spawn_sh(p, cmd, -1, disp, SIGKILL);
		if (pids[started] < 0) {
			ok = false;
			break;
		}
	}
	double end = now_monotonic() + limit;
	for (int i = 0; i < started; i++) {
		int status = 0;
		double left = end - now_monotonic();
		if (wait_child(pids[i], left > 0.01 ? left : 0.01, &status) < 0) {
			stop_group(pids[i], SIGKILL, 1, &status);
			wl_anomaly(p, "client-timeout", "generation %u: client %d of display %s still running after "
				   "%.0f s; killed", gen, i, disp, limit);
			ok = false;
		} else if (status) {
			wl_anomaly(p, "client-failed", "generation %u: client %d of display %s %s", gen, i, disp,
				   how_ended(status, how, sizeof(how)));
			ok = false;
		}
	}
	return ok;
}

/* The running server's pid, for the SIGTERM handler (0: none). */
static volatile sig_atomic_t live_server;

/* SIGTERM (the daemon stops the workload): stop the server as a restart
 * would, so it gives the console and the card back before the next user
 * comes; within 1.5 s, as the daemon sends SIGKILL after 2 s. Only
 * async-signal-safe calls. */
static void stop_server_and_exit(int sig)
{
	pid_t pid = (pid_t)live_server;
	if (pid > 0) {
		kill(pid, SIGTERM);
		struct timespec tick = { 0, 10 * 1000 * 1000 };
		int i = 0;
		while (i < 150 && waitpid(pid, NULL, WNOHANG) == 0) {
			nanosleep(&tick, NULL);
			i++;
		}
		/* still there: it would keep the display (:N's socket) from the
		 * next server */
		if (i == 150)
			kill(pid, SIGKILL);
	}
	_exit(0);
}

/* The framebuffer the console scans out before the first server starts
 * (0: none, the check is off); the worker's file on the device, without
 * master, for the KMS look-ups. */
static uint32_t console_fb;
static int kms_fd = -1;

/* stop_group for the server, which the SIGTERM handler then forgets. */
static int stop_server(pid_t pid, int sig, double limit, int *status)
{
	int r = stop_group(pid, sig, limit, status);
	live_server = 0;
	return r;
}

/* One real server restart: start, ready, clients, SIGTERM, console back.
 * True when every step went well. */
static bool server_generation(struct wl_proc *p, uint32_t gen)
{
	double limit = (double)wl_get(p->cfg, "timeout") / 1000.0;
	const char *cmd = wl_get_str(p->cfg, "server");
	char how[48];
	if (kms_fd < 0) {
		signal(SIGTERM, stop_server_and_exit);
		kms_fd = wl_open_client(p, NULL);
		if (kms_scanout_fb(kms_fd, &console_fb))
			console_fb = 0;
	}
	double t0 = now_monotonic();
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC)) {
		wl_report(p, "setup", "pipe: %s", strerror(errno));
		return false;
	}
	/* exec: the server itself is the child, the one to signal and wait
	 * for (Xorg leaves the process group: it calls setsid()). */
	char line[WL_STR_MAX + 8];
	snprintf(line, sizeof(line), "exec %s", cmd);
	/* SIGTERM held until the handler knows the server, which it must stop */
	sigset_t term, old;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	pid_t pid = spawn_sh(p, line, pfd[1], NULL, SIGTERM);
	if (pid > 0)
		live_server = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return false;
	}
	int display = wait_ready(pfd[0], limit);
	close(pfd[0]);
	int status = 0;
	if (display < 0) {
		if (display == -2) {
			stop_server(pid, SIGKILL, 1, &status);
			wl_anomaly(p, "server-not-ready", "generation %u: '%s' not ready after %.0f s; killed", gen,
				   cmd, limit);
		} else {
			stop_server(pid, SIGTERM, limit, &status);
			wl_anomaly(p, "server-failed", "generation %u: '%s' %s before it was ready", gen, cmd,
				   how_ended(status, how, sizeof(how)));
		}
		return false;
	}
	wl_gauge_set(p, G_READY_MS, (int64_t)((now_monotonic() - t0) * 1000));
	bool ok = run_clients(p, gen, display, limit);
	if (stop_server(pid, SIGTERM, limit, &status)) {
		wl_anomaly(p, "server-stop-timeout", "generation %u: display :%d still running %.0f s after "
			   "SIGTERM; killed", gen, display, limit);
		ok = false;
	} else if (status && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)) {
		wl_anomaly(p, "server-exit", "generation %u: display :%d %s on SIGTERM", gen, display,
			   how_ended(status, how, sizeof(how)));
		ok = false;
	}
	uint32_t fb = 0;
	if (console_fb) {
		int r = kms_scanout_fb(kms_fd, &fb);
		if (!wl_promise(p, "console_back_after_restart", r == 0 && fb == console_fb,
				"generation %u: after display :%d stopped the CRTC scans out framebuffer %u (%s), "
				"not the console's %u", gen, display, fb, r ? strerror(-r) : "0", console_fb))
			ok = false;
	}
	wl_gauge_set(p, G_CYCLE_MS, (int64_t)((now_monotonic() - t0) * 1000));
	return ok;
}

/* Run one generation (server or restart command) in a child process;
 * true when it succeeded. */
static bool run_generation(struct wl_proc *p, uint32_t gen, struct prng *rnd)
{
	if (server_mode(p->cfg))
		return server_generation(p, gen);
	const char *cmd = wl_get_str(p->cfg, "command");
	bool drop = prng_below(rnd, 2);
	pid_t pid = spawn(p);
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (!*cmd)
			_exit(serve(p, gen, drop));
		/* Its own process group, apart from the workload's: at the
		 * cycle's end (or its timeout) one kill(-pid) ends what the
		 * command left in it, and must not reach the workers. The shell
		 * dies with its worker (the parent-death signal); what left the
		 * group (setsid: a display server) is the restart's own. */
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
	struct prng rnd;
	prng_init(&rnd, p);
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, wl_get(p->cfg, "rate"), 1);
	unsigned errors = 0;
	for (uint32_t gen = 0; !wl_should_stop(p); gen++) {
		wl_pacer_wait(&pacer);
		if (!run_generation(p, gen, &rnd)) {
			wl_gauge_add(p, G_FAILED, 1);
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
	wl_anomaly_share();
	if (p->index == 0)
		server_loop(p);
	/* Each generation's client is a short-lived process, like an app that
	 * connects to the new server and goes. */
	for (;;) {
		struct hello h;
		fdpass_recv(p, p->fds[0], &h, sizeof(h), NULL, 0);
		pid_t pid = spawn(p);
		if (pid < 0)
			wl_exit(p, WL_EXIT_SETUP);
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
	.summary = "display-server restarts: master, GET_MAGIC/AUTH_MAGIC, a scan-out object shared by name; or a real server",
	.keys = x_restart_keys,
	.caps = GS_CAP_GEM_CREATE | GS_CAP_FLINK | GS_CAP_MASTER,
	.caps_for = x_restart_caps,
	.nprocs = x_restart_nprocs,
	.setup = x_restart_setup,
	.fds = layout_fds,
	.teardown = layout_teardown,
	.run = x_restart_run,
	.gauges = x_restart_gauges,
};
