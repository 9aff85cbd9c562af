/* gs-weston-launch: start weston's DRM backend where there is no logind,
 * as the display-stack VM's x-restart `server` (Debian 12's weston 10
 * knows two launchers, logind and weston-launch's socket, and ships no
 * weston-launch binary; it has no libseat).
 *   gs-weston-launch VT N WESTON [ARGS...]
 * switches to VT and puts it in graphics mode, runs WESTON ARGS (which
 * listen on wayland-N, --socket=wayland-N, and load the module that says
 * when weston is ready, --modules=systemd-notify.so) with the launcher's
 * socket (WESTON_LAUNCHER_SOCK, WESTON_TTY_FD) and NOTIFY_SOCKET set,
 * opens the DRM and input devices weston asks for, and writes "N\n" on
 * fd 3 once weston says READY=1 (its systemd-notify.so module) and
 * $XDG_RUNTIME_DIR/wayland-N exists: x-restart's readiness, as Xorg's
 * -displayfd 3. SIGTERM and SIGINT are passed on to weston. When weston
 * has exited, the VT goes back to text mode (fbcon takes the display
 * back) and to the VT that was active before. Exits as weston did (the
 * same status, or killed by the same signal); 1 on a launcher error, with
 * a message naming the step. VT switches while weston runs are not
 * handled (the VT stays in VT_AUTO mode).
 * XDG_RUNTIME_DIR, when not set, is /run/gs-weston (made 0700). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <linux/vt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* weston-launch's protocol (libweston 10): an open request is
 * { int opcode = 0; int flags; char path[]; }, the answer
 * { int opcode = 3 (open reply); int ret; } with the fd as SCM_RIGHTS. */
enum { LAUNCHER_OPEN = 0, LAUNCHER_OPEN_REPLY = 3 };
#define DRM_MAJOR 226
#define INPUT_MAJOR 13

static int die(const char *what)
{
	fprintf(stderr, "gs-weston-launch: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Open what weston asked for, a DRM or input device only (we are root);
 * answer with the fd, or ret -1 without one. */
static void answer_open(int sock)
{
	char buf[4096 + 8];
	ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);
	if (n < 8)
		return;
	buf[n] = '\0';
	int opcode, flags;
	memcpy(&opcode, buf, sizeof(int));
	memcpy(&flags, buf + 4, sizeof(int));
	int reply[2] = { LAUNCHER_OPEN_REPLY, -1 };
	int fd = -1;
	struct stat st;
	if (opcode == LAUNCHER_OPEN) {
		fd = open(buf + 8, flags | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 && (fstat(fd, &st) || !S_ISCHR(st.st_mode) ||
				(major(st.st_rdev) != DRM_MAJOR && major(st.st_rdev) != INPUT_MAJOR))) {
			fprintf(stderr, "gs-weston-launch: %s is no DRM or input device: refused\n", buf + 8);
			close(fd);
			fd = -1;
		} else if (fd < 0) {
			fprintf(stderr, "gs-weston-launch: open %s: %s\n", buf + 8, strerror(errno));
		}
	}
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct iovec iov = { reply, sizeof(reply) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		reply[1] = 0;
		memset(&u, 0, sizeof(u));
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		perror("gs-weston-launch: answer");
	if (fd >= 0)
		close(fd); /* weston's copy is the one: its close drops master */
}

/* A datagram on the notify socket: true when it says READY=1. */
static bool got_ready(int nfd)
{
	char buf[512];
	ssize_t n = recv(nfd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "READY=1") != NULL;
}

/* Weston said it is ready: its socket must be there. Then "N\n" on fd 3. */
static int report_ready(const char *display)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/wayland-%s", dir ? dir : "", display);
	if (stat(path, &st) || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "gs-weston-launch: weston said READY=1 but %s is no socket\n", path);
		return -1;
	}
	dprintf(3, "%s\n", display);
	close(3);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gs-weston-launch VT N WESTON [ARGS...]\n");
		return 2;
	}
	int vt = atoi(argv[1]);
	const char *display = argv[2];
	if (!getenv("XDG_RUNTIME_DIR")) { /* weston needs one; root's */
		mkdir("/run/gs-weston", 0700);
		setenv("XDG_RUNTIME_DIR", "/run/gs-weston", 1);
	}
	if (fcntl(3, F_GETFD) < 0 && dup2(open("/dev/null", O_WRONLY), 3) < 0) /* keep fd 3 ours */
		return die("fd 3");
	int tty0 = open("/dev/tty0", O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct vt_stat before;
	if (tty0 < 0 || ioctl(tty0, VT_GETSTATE, &before))
		return die("/dev/tty0");
	char ttyname[32];
	snprintf(ttyname, sizeof(ttyname), "/dev/tty%d", vt);
	int tty = open(ttyname, O_RDWR | O_NOCTTY);
	if (tty < 0)
		return die(ttyname);
	if (ioctl(tty, VT_ACTIVATE, vt) || ioctl(tty, VT_WAITACTIVE, vt))
		return die("VT_ACTIVATE");
	if (ioctl(tty, KDSETMODE, KD_GRAPHICS))
		return die("KDSETMODE KD_GRAPHICS");

	int sv[2];
	if (socketpair(AF_LOCAL, SOCK_SEQPACKET, 0, sv))
		return die("socketpair");
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	int nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un na = { .sun_family = AF_UNIX };
	char notify[64];
	snprintf(notify, sizeof(notify), "gs-weston-launch-%d", (int)getpid());
	memcpy(na.sun_path + 1, notify, strlen(notify)); /* abstract */
	if (nfd < 0 || bind(nfd, (struct sockaddr *)&na, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(notify))))
		return die("notify socket");

	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return die("signalfd");

	pid_t pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid == 0) {
		char env[16];
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(3); /* the readiness pipe is the launcher's */
		snprintf(env, sizeof(env), "%d", sv[1]);
		setenv("WESTON_LAUNCHER_SOCK", env, 1);
		snprintf(env, sizeof(env), "%d", tty);
		setenv("WESTON_TTY_FD", env, 1);
		char ns[80];
		snprintf(ns, sizeof(ns), "@%s", notify);
		setenv("NOTIFY_SOCKET", ns, 1);
		execvp(argv[3], argv + 3);
		_exit(die(argv[3]) + 126);
	}
	close(sv[1]);

	int status = 0;
	bool ready = false, running = true, failed = false;
	while (running) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { sv[0], POLLIN, 0 }, { nfd, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			failed = true;
			die("poll");
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			break;
		}
		if (p[1].revents & POLLIN)
			answer_open(sv[0]);
		else if (p[1].revents & (POLLHUP | POLLERR))
			p[1].fd = -1;
		if ((p[2].revents & POLLIN) && got_ready(nfd) && !ready) {
			ready = true;
			if (report_ready(display))
				kill(pid, SIGTERM);
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGCHLD)
				kill(pid, (int)si.ssi_signo);
			else if (waitpid(pid, &status, WNOHANG) == pid)
				running = false;
		}
	}
	/* Weston's DRM file is closed: text mode makes fbcon take the display back. */
	if (ioctl(tty, KDSETMODE, KD_TEXT))
		perror("gs-weston-launch: KDSETMODE KD_TEXT");
	if (before.v_active != vt && (ioctl(tty0, VT_ACTIVATE, before.v_active) ||
				       ioctl(tty0, VT_WAITACTIVE, before.v_active)))
		perror("gs-weston-launch: VT_ACTIVATE back");
	if (failed)
		return 1;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		raise(WTERMSIG(status));
	}
	return WEXITSTATUS(status);
}
