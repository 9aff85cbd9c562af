/* The practical limit for flink-share's ioctl sequence: create, flink,
 * open the name on a second file, map and touch it, close both handles,
 * in one tight loop with no bookkeeping. `-x` does the same across two
 * processes with one socket round trip per cycle, the least any
 * cross-process sharing costs, so gemsoak's own overhead can be told
 * apart from the cost of crossing a process boundary.
 * usage: raw-flink [-d DEVICE] [-s SECONDS] [-x] [-m MAP_EVERY] */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "bench/bench-device.h"
#include "device/device.h"
#include "device/gem.h"

#define SIZE 4096

static void die(const char *what, int err)
{
	fprintf(stderr, "raw-flink: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(2);
}

/* The consumer's half: open the name, map and touch, close. */
static void consume_one(int fd, uint32_t name, bool map)
{
	uint32_t handle;
	uint64_t size, off;
	int r = gem_open(fd, name, &handle, &size);
	if (r)
		die("GEM_OPEN", r);
	if (map && ((r = gem_map_offset(fd, handle, &off)) || (r = gem_touch(fd, off, size))))
		die("map", r);
	if ((r = gem_close(fd, handle)))
		die("GEM_CLOSE", r);
}

static void consumer_loop(const char *path, int sock, int map_every)
{
	int fd = device_open_fd(path);
	if (fd < 0)
		die(path, fd);
	uint32_t msg[2];
	while (read(sock, msg, sizeof(msg)) == (ssize_t)sizeof(msg)) {
		consume_one(fd, msg[0], map_every > 0 && msg[1] % (uint32_t)map_every == 0);
		if (write(sock, msg, sizeof(msg[0])) != (ssize_t)sizeof(msg[0]))
			break;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	double seconds = 10;
	bool cross = false;
	int map_every = 1, opt;
	while ((opt = getopt(argc, argv, "d:s:xm:h")) != -1) {
		switch (opt) {
		case 'd': path = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'x': cross = true; break;
		case 'm': map_every = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: raw-flink [-d DEVICE] [-s SECONDS] [-x] [-m MAP_EVERY]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	struct gs_device dev;
	bench_device("raw-flink", path, &dev);
	path = dev.path;
	int fd = device_open_fd(path), fd2 = -1, sv[2] = { -1, -1 };
	if (fd < 0)
		die(path, fd);
	pid_t child = -1;
	if (cross) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
			die("socketpair", errno);
		child = fork();
		if (child == 0) {
			close(sv[0]);
			consumer_loop(path, sv[1], map_every);
		}
		close(sv[1]);
	} else if ((fd2 = device_open_fd(path)) < 0) {
		die(path, fd2);
	}

	double start = now_monotonic(), end = start + seconds;
	uint64_t cycles = 0;
	while ((cycles & 63) || now_monotonic() < end) {
		uint32_t handle, name;
		int r = gem_create(fd, dev.kind, SIZE, &handle);
		if (r)
			die("create", r);
		if ((r = gem_flink(fd, handle, &name)))
			die("GEM_FLINK", r);
		if (cross) {
			uint32_t msg[2] = { name, (uint32_t)cycles }, ack;
			if (write(sv[0], msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
			    read(sv[0], &ack, sizeof(ack)) != (ssize_t)sizeof(ack))
				die("consumer", EPIPE);
		} else {
			consume_one(fd2, name, map_every > 0 && cycles % (uint64_t)map_every == 0);
		}
		if ((r = gem_close(fd, handle)))
			die("GEM_CLOSE", r);
		cycles++;
	}
	double took = now_monotonic() - start;
	if (cross) {
		close(sv[0]);
		waitpid(child, NULL, 0);
	}
	printf("%s %.0f\n", cross ? "raw-flink-2proc" : "raw-flink-1proc", (double)cycles / took);
	return 0;
}
