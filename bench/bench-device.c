#include <stdio.h>
#include <stdlib.h>

#include "bench/bench-device.h"

void bench_device(const char *prog, const char *path, struct gs_device *dev)
{
	char auto_path[256], err[256];
	if (!path && device_resolve("auto", auto_path, sizeof(auto_path), err, sizeof(err)) == 0)
		path = auto_path;
	if (!path || device_probe(path, dev, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, path ? err : "no DRM device");
		exit(2);
	}
}
