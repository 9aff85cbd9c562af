/* display-server: each cycle restarts the machine's display server,
 * either by a restart command (`command =`, run under /bin/sh within
 * `timeout`) or, with `server =`, a real display server (Xorg, weston)
 * on the device, which this file drives: it starts the server command
 * (`exec` under /bin/sh, fd 3 a pipe on which the server says it is
 * ready by writing its display number, as Xorg's -displayfd 3 does),
 * runs `processes` copies of the `client` command against it (DISPLAY
 * set), stops it with SIGTERM and checks that the CRTC scans out again
 * the framebuffer it scanned out before the first start (the console's,
 * fbcon's). Every step within `timeout`. The child processes are
 * workloads/child.c's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "device/kms.h"
#include "workloads/child.h"
#include "workloads/display-server.h"
#include "workloads/promises.h"

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
		pids[started] = child_spawn_sh(p, cmd, -1, disp, SIGKILL);
		if (pids[started] < 0) {
			ok = false;
			break;
		}
	}
	double end = now_monotonic() + limit;
	for (int i = 0; i < started; i++) {
		int status = 0;
		double left = end - now_monotonic();
		if (spawn_wait(pids[i], left > 0.01 ? left : 0.01, &status) < 0) {
			spawn_stop_group(pids[i], SIGKILL, 1, &status);
			wl_anomaly(p, "client-timeout", "generation %u: client %d of display %s still running after "
				   "%.0f s; killed", gen, i, disp, limit);
			ok = false;
		} else if (status) {
			wl_anomaly(p, "client-failed", "generation %u: client %d of display %s %s", gen, i, disp,
				   spawn_how_ended(status, how, sizeof(how)));
			ok = false;
		}
	}
	return ok;
}

/* The running server's or restart command's pid, for the SIGTERM
 * handler (0: none). */
static volatile sig_atomic_t live_child;

/* SIGTERM (the daemon stops the workload): stop the server as a restart
 * would, so it gives the console and the card back before the next user
 * comes, and end what a restart command left in its process group (its
 * own group, which the daemon's stop does not reach); within 1.5 s, as
 * the daemon sends SIGKILL after 2 s. Only async-signal-safe calls. */
static void stop_child_and_exit(int sig)
{
	pid_t pid = (pid_t)live_child;
	if (pid > 0) {
		kill(-pid, SIGTERM);
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
		kill(-pid, SIGKILL);
	}
	_exit(0);
}

/* child_spawn_sh, the child known to the SIGTERM handler from its start
 * on: SIGTERM is held until then. */
static pid_t spawn_live(struct wl_proc *p, const char *line, int fd3, int deathsig)
{
	sigset_t term, old;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	pid_t pid = child_spawn_sh(p, line, fd3, NULL, deathsig);
	if (pid > 0)
		live_child = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

/* The framebuffer the console scans out before the first server starts
 * (0: none, the check is off); the worker's file on the device, without
 * master, for the KMS look-ups. */
static uint32_t console_fb;
static int kms_fd = -1;

/* spawn_stop_group for the server, which the SIGTERM handler then forgets. */
static int stop_server(pid_t pid, int sig, double limit, int *status)
{
	int r = spawn_stop_group(pid, sig, limit, status);
	live_child = 0;
	return r;
}

/* One real server restart: start, ready, clients, SIGTERM, console back.
 * True when every step went well; the anomalies of the others are
 * reported. */
static bool real_server_generation(struct wl_proc *p, uint32_t gen)
{
	double limit = (double)wl_get(p->cfg, "timeout") / 1000.0;
	const char *cmd = wl_get_str(p->cfg, "server");
	char how[48];
	if (kms_fd < 0) {
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
	pid_t pid = spawn_live(p, line, pfd[1], SIGTERM);
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
				   spawn_how_ended(status, how, sizeof(how)));
		}
		return false;
	}
	wl_gauge_set(p, DS_GAUGE_READY_MS, (int64_t)((now_monotonic() - t0) * 1000));
	bool ok = run_clients(p, gen, display, limit);
	if (stop_server(pid, SIGTERM, limit, &status)) {
		wl_anomaly(p, "server-stop-timeout", "generation %u: display :%d still running %.0f s after "
			   "SIGTERM; killed", gen, display, limit);
		ok = false;
	} else if (status && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)) {
		wl_anomaly(p, "server-exit", "generation %u: display :%d %s on SIGTERM", gen, display,
			   spawn_how_ended(status, how, sizeof(how)));
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
	wl_gauge_set(p, DS_GAUGE_CYCLE_MS, (int64_t)((now_monotonic() - t0) * 1000));
	return ok;
}

/* One run of the restart command, in a process group of its own (one
 * kill(-pid) ends what it left there, never the workers) within
 * `timeout`; true when it exited with 0. */
static bool command_generation(struct wl_proc *p, uint32_t gen)
{
	const char *cmd = wl_get_str(p->cfg, "command");
	pid_t pid = spawn_live(p, cmd, -1, SIGKILL);
	if (pid < 0)
		return false;
	char who[WL_STR_MAX + 2];
	snprintf(who, sizeof(who), "'%s'", cmd);
	int status = child_reap(p, pid, (double)wl_get(p->cfg, "timeout") / 1000.0, gen, who);
	live_child = 0;
	if (status > 0)
		wl_anomaly(p, "restart-failed", "generation %u: %s exited with status %d", gen, who, status);
	return status == 0;
}

static bool display_server_generation(struct wl_proc *p, uint32_t gen, void *ctx)
{
	return wl_get_str(p->cfg, "server")[0] ? real_server_generation(p, gen) : command_generation(p, gen);
}

void restart_loop(struct wl_proc *p, restart_generation_fn *generation, void *ctx)
{
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, 1);
	unsigned errors = 0;
	for (uint32_t gen = 0; !wl_should_stop(p); gen++) {
		wl_pacer_wait(&pacer);
		if (!generation(p, gen, ctx)) {
			wl_gauge_add(p, DS_GAUGE_FAILED, 1);
			wl_backoff(&errors);
			continue;
		}
		errors = 0;
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

void display_server_run(struct wl_proc *p)
{
	wl_anomaly_share();
	signal(SIGTERM, stop_child_and_exit);
	restart_loop(p, display_server_generation, NULL);
}

static const struct wl_key display_server_keys[] = {
	DS_KEY_SERVER,
	DS_KEY_CLIENT,
	{ "processes", WK_INT, 0, MAX_CLIENTS, 2, "with server: clients run against each one at once" },
	DS_KEY_COMMAND,
	DS_KEY_TIMEOUT,
	WL_KEY_SIZE, WL_KEY_RATE, WL_KEY_DURATION, WL_KEY_SEED, WL_KEY_TEST_HOOK,
	WL_KEY_END,
};

const struct wl_gauge display_server_gauges[] = {
	{ "ready_ms", false, "how long the last server took to be ready" },
	{ "cycle_ms", false, "how long the last restart took, clients and console check included" },
	{ "failed", true, "restarts that failed" },
	{ NULL, false, NULL },
};

static int one_process(const struct wl_config *cfg)
{
	return 1;
}

static const char *server_or_command(const struct wl_config *cfg)
{
	return wl_get_str(cfg, "server")[0] || wl_get_str(cfg, "command")[0] ? NULL
									     : "needs server or command";
}

const struct wl_type wl_display_server = {
	.name = "display-server",
	.summary = "restarts of the machine's display server: a real server (Xorg, weston) with its clients, or a restart command",
	.keys = display_server_keys,
	.caps = 0,
	.nprocs = one_process,
	.run = display_server_run,
	.gauges = display_server_gauges,
	.check = server_or_command,
};
