/* The practical limit for the PRIME workloads: each one's ioctl and
 * fd-passing sequence (its default configuration: one pair, 4 KiB
 * objects) in a bare loop, without gemsoak's counters, promise checks and
 * the syscalls only they make, pacing, reporting or config. Beyond this
 * sequence the workers add, per cycle, an lseek per dma-buf (prime-share's
 * size check) and a kcmp per object (self-import's re-export check).
 *
 *   -m share  prime-share: the exporter creates and exports 2 objects and
 *             passes the dma-bufs (SCM_RIGHTS); the importer imports each
 *             twice, then the three closes come in the cycle's close order
 *             with the same notes exchanged as the workload's.
 *   -m self   self-import: two processes, each per cycle creates an
 *             object on file A, exports it twice, imports it on A and
 *             three times on B, passes a dma-buf to the partner and takes
 *             the partner's (import twice, close, import, close), closes
 *             both handles, re-imports on B and exports the closed handle
 *             (ENOENT: the workload's check that it is gone).
 *   -m one    (default) the older reference: create, export, import on a
 *             second file, close all three, in one process.
 *
 * Prints "raw-prime-share|self|1proc CYCLES_PER_S", cycles counted as the
 * workloads count them (prime-share: the exporter's; self-import: both
 * processes').
 * usage: raw-prime [-d DEVICE] [-s SECONDS] [-m one|share|self] */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench-device.h"
#include "common/util.h"
#include "device/device.h"
#include "device/gem.h"
#include "workloads/fd-pass.h"
#include "workloads/prime-share.h"
#include "workloads/self-import.h"

#define SIZE 4096
#define SHARE_OBJECTS 2 /* prime-share's default `objects` */

static void check(const char *what, int r)
{
	if (r) {
		fprintf(stderr, "raw-prime: %s: %s\n", what, strerror(-r));
		exit(2);
	}
}

static int open_device(const char *path)
{
	int fd = device_open_fd(path);
	check(path, fd < 0 ? fd : 0);
	return fd;
}

/* The partner process's end of a pair; the peer leaving ends it. */
static void peer_gone(void)
{
	_exit(0);
}

static bool in_partner; /* this is the forked partner process */

/* Send to the other process; in the partner, the parent's end closed (the
 * run is over) ends it quietly. */
static void send_to_partner(int sock, const void *msg, size_t len, const int *fds, int nfds)
{
	int r = __fdpass_send(sock, msg, len, fds, nfds);
	if (in_partner && (r == -EPIPE || r == -ECONNRESET))
		peer_gone();
	check("send", r);
}

/* ---- -m one ---- */

static void one_cycle(const struct gs_device *dev, int fd, int fd2)
{
	uint32_t handle, imported;
	int dmabuf;
	check("create", gem_create(fd, dev->kind, SIZE, &handle));
	check("PRIME_HANDLE_TO_FD", prime_export(fd, handle, &dmabuf));
	check("PRIME_FD_TO_HANDLE", prime_import(fd2, dmabuf, &imported));
	check("GEM_CLOSE", gem_close(fd2, imported));
	close(dmabuf);
	check("GEM_CLOSE", gem_close(fd, handle));
}

/* ---- -m share: prime-share's exporter (parent) and importer (child) ---- */

static void send_note(int sock, uint32_t seq)
{
	struct prime_note note = { .seq = seq };
	send_to_partner(sock, &note, sizeof(note), NULL, 0);
}

static void recv_note(int sock)
{
	struct prime_note note;
	if (__fdpass_recv(sock, &note, sizeof(note), NULL, 0) < 0)
		peer_gone();
}

static void close_all(int fd, const uint32_t *h, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		check("GEM_CLOSE", gem_close(fd, h[i]));
}

static void share_export_cycle(const struct gs_device *dev, int fd, int sock, uint32_t seq)
{
	uint32_t h[SHARE_OBJECTS];
	int dmabuf[SHARE_OBJECTS];
	struct prime_offer o = { .seq = seq, .n = SHARE_OBJECTS, .size = SIZE };
	for (uint32_t i = 0; i < o.n; i++) {
		check("create", gem_create(fd, dev->kind, SIZE, &h[i]));
		check("PRIME_HANDLE_TO_FD", prime_export(fd, h[i], &dmabuf[i]));
	}
	close_order_nth(seq, o.order);
	check("send", __fdpass_send(sock, &o, sizeof(o), dmabuf, (int)o.n));
	for (uint32_t i = 0; i < o.n; i++)
		close(dmabuf[i]);
	recv_note(sock);
	close_all(fd, h, o.n);
	send_note(sock, seq);
}

static void share_import_loop(const char *path, int sock) __attribute__((noreturn));
static void share_import_loop(const char *path, int sock)
{
	int fd = open_device(path);
	for (;;) {
		struct prime_offer o;
		int dmabuf[PRIME_SHARE_MAX_OBJECTS];
		int got = __fdpass_recv(sock, &o, sizeof(o), dmabuf, PRIME_SHARE_MAX_OBJECTS);
		if (got < 0 || (uint32_t)got != o.n)
			peer_gone();
		uint32_t h[PRIME_SHARE_MAX_OBJECTS], again;
		for (uint32_t i = 0; i < o.n; i++) {
			check("PRIME_FD_TO_HANDLE", prime_import(fd, dmabuf[i], &h[i]));
			check("PRIME_FD_TO_HANDLE", prime_import(fd, dmabuf[i], &again));
		}
		for (int s = 0; s < CLOSE_STEPS; s++) {
			switch (o.order[s]) {
			case CLOSE_FD:
				for (uint32_t i = 0; i < o.n; i++)
					close(dmabuf[i]);
				break;
			case CLOSE_IMPORTER:
				close_all(fd, h, o.n);
				break;
			case CLOSE_EXPORTER:
				send_note(sock, o.seq);
				recv_note(sock);
				break;
			}
		}
	}
}

/* ---- -m self: both processes run the same cycle ---- */

static void import_on(int fd, int dmabuf, uint32_t *h)
{
	check("PRIME_FD_TO_HANDLE", prime_import(fd, dmabuf, h));
}

/* The partner's dma-buf: import twice, close, import again, close. */
static void self_take_partners(int b, int sock)
{
	struct self_passed m;
	int dmabuf;
	if (__fdpass_recv(sock, &m, sizeof(m), &dmabuf, 1) != 1)
		peer_gone();
	uint32_t h, again;
	import_on(b, dmabuf, &h);
	import_on(b, dmabuf, &again);
	check("GEM_CLOSE", gem_close(b, h));
	import_on(b, dmabuf, &h);
	check("GEM_CLOSE", gem_close(b, h));
	close(dmabuf);
}

static void self_cycle(const struct gs_device *dev, int a, int b, int sock, uint64_t cycle)
{
	uint32_t h, self, hb, hb2, again;
	int d1, d2;
	check("create", gem_create(a, dev->kind, SIZE, &h));
	check("PRIME_HANDLE_TO_FD", prime_export(a, h, &d1));
	check("PRIME_HANDLE_TO_FD", prime_export(a, h, &d2));
	import_on(a, d1, &self);
	import_on(b, d1, &hb);
	import_on(b, d1, &again);
	import_on(b, d2, &hb2);
	struct self_passed m = { .seq = (uint32_t)cycle, .size = SIZE };
	send_to_partner(sock, &m, sizeof(m), &d1, 1);
	self_take_partners(b, sock);
	/* The workload picks the order from its seed; both orders, evenly. */
	if (cycle & 1)
		check("GEM_CLOSE", gem_close(a, h));
	check("GEM_CLOSE", gem_close(b, hb));
	if (!(cycle & 1))
		check("GEM_CLOSE", gem_close(a, h));
	close(d1);
	import_on(b, d2, &again);
	check("GEM_CLOSE", gem_close(b, again));
	close(d2);
	if (prime_export(a, h, &d1) == 0) /* the handle is gone: ENOENT */
		close(d1);
}

static void self_partner_loop(const struct gs_device *dev, int sock) __attribute__((noreturn));
static void self_partner_loop(const struct gs_device *dev, int sock)
{
	int a = open_device(dev->path), b = open_device(dev->path);
	for (uint64_t cycle = 0;; cycle++)
		self_cycle(dev, a, b, sock, cycle);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *mode = "one";
	double seconds = 10;
	int opt;
	while ((opt = getopt_long(argc, argv, "d:s:m:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': path = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'm': mode = optarg; break;
		default:
			fprintf(stderr, "usage: raw-prime [-d DEVICE] [-s SECONDS] [-m one|share|self]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	bool share = strcmp(mode, "share") == 0, self = strcmp(mode, "self") == 0;
	if (!share && !self && strcmp(mode, "one") != 0) {
		fprintf(stderr, "raw-prime: unknown mode %s (one, share or self)\n", mode);
		return 2;
	}
	struct gs_device dev;
	bench_device("raw-prime", path, &dev);
	int sv[2] = { -1, -1 };
	pid_t child = -1;
	if (share || self) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
			check("socketpair", -errno);
		child = fork();
		if (child < 0)
			check("fork", -errno);
		if (child == 0) {
			in_partner = true;
			close(sv[0]);
			if (share)
				share_import_loop(dev.path, sv[1]);
			self_partner_loop(&dev, sv[1]);
		}
		close(sv[1]);
	}
	int fd = open_device(dev.path), fd2 = share ? -1 : open_device(dev.path);

	double start = now_monotonic(), end = start + seconds;
	uint64_t cycles = 0;
	/* The clock is read every 64 cycles, so it costs the loop nothing. */
	while ((cycles & 63) || now_monotonic() < end) {
		if (share)
			share_export_cycle(&dev, fd, sv[0], (uint32_t)cycles);
		else if (self)
			self_cycle(&dev, fd, fd2, sv[0], cycles);
		else
			one_cycle(&dev, fd, fd2);
		cycles++;
	}
	double took = now_monotonic() - start;
	if (child > 0) {
		close(sv[0]);
		waitpid(child, NULL, 0);
	}
	/* self-import's partner runs in lockstep: as many cycles again. */
	if (self)
		cycles *= 2;
	printf("raw-prime-%s %.0f\n", share || self ? mode : "1proc", (double)cycles / took);
	return 0;
}
