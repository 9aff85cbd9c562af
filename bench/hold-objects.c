/* Keeps N flinked GEM objects alive so a sample has N gem_names lines
 * (and N objects in every other counter) to read: the load under which
 * the observation cost is measured. Holds them until killed.
 * usage: hold-objects [-d DEVICE] N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench-device.h"
#include "device/device.h"
#include "device/gem.h"

int main(int argc, char **argv)
{
	const char *path = NULL;
	if (argc == 4 && strcmp(argv[1], "-d") == 0) {
		path = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hold-objects [-d DEVICE] N\n");
		return 2;
	}
	long n = atol(argv[1]);
	struct gs_device dev;
	bench_device("hold-objects", path, &dev);
	int fd = device_open_fd(dev.path);
	for (long i = 0; i < n; i++) {
		uint32_t handle, name;
		int r = gem_create(fd, dev.kind, 4096, &handle);
		if (!r)
			r = gem_flink(fd, handle, &name);
		if (r) {
			fprintf(stderr, "hold-objects: object %ld: %s\n", i, strerror(-r));
			return 1;
		}
	}
	printf("holding %ld objects\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
