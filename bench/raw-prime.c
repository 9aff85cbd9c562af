/* The practical limit for the PRIME workloads' ioctl sequence: create an
 * object, export it (PRIME_HANDLE_TO_FD), import the dma-buf on a second
 * open file (PRIME_FD_TO_HANDLE), close the imported handle, the dma-buf
 * fd and the object, in one tight loop in one process: what prime-share
 * and self-import do per cycle, without passing the fd between processes.
 * usage: raw-prime [-d DEVICE] [-s SECONDS] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "bench/bench-device.h"
#include "device/device.h"
#include "device/gem.h"

static void check(const char *what, int r)
{
	if (r) {
		fprintf(stderr, "raw-prime: %s: %s\n", what, strerror(-r));
		exit(2);
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	double seconds = 10;
	int opt;
	while ((opt = getopt(argc, argv, "d:s:h")) != -1) {
		switch (opt) {
		case 'd': path = optarg; break;
		case 's': seconds = atof(optarg); break;
		default:
			fprintf(stderr, "usage: raw-prime [-d DEVICE] [-s SECONDS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	struct gs_device dev;
	bench_device("raw-prime", path, &dev);
	path = dev.path;
	int fd = device_open_fd(path), fd2 = device_open_fd(path);
	check(path, fd < 0 ? fd : fd2 < 0 ? fd2 : 0);
	double start = now_monotonic(), end = start + seconds;
	uint64_t cycles = 0;
	while ((cycles & 63) || now_monotonic() < end) {
		uint32_t handle, imported;
		int dmabuf;
		check("create", gem_create(fd, dev.kind, 4096, &handle));
		check("PRIME_HANDLE_TO_FD", prime_export(fd, handle, &dmabuf));
		check("PRIME_FD_TO_HANDLE", prime_import(fd2, dmabuf, &imported));
		check("GEM_CLOSE", gem_close(fd2, imported));
		close(dmabuf);
		check("GEM_CLOSE", gem_close(fd, handle));
		cycles++;
	}
	printf("raw-prime-1proc %.0f\n", (double)cycles / (now_monotonic() - start));
	return 0;
}
