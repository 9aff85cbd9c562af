/* gs-model-holder DEVICE COUNT SIZE: a process that is not a worker and
 * keeps COUNT objects of SIZE bytes on a DRM file of its own until it is
 * killed, as a compositor or an app holds its buffers. Run under the
 * shim, it is the "other process" of the fdinfo holder split. It says
 * "holding" on stdout once the objects exist. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <i915_drm.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gs-model-holder DEVICE COUNT SIZE\n");
		return 64;
	}
	int fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "gs-model-holder: %s: %s\n", argv[1], strerror(errno));
		return 69;
	}
	long n = atol(argv[2]);
	for (long i = 0; i < n; i++) {
		struct drm_i915_gem_create c = { .size = (uint64_t)atoll(argv[3]) };
		if (ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c) < 0) {
			fprintf(stderr, "gs-model-holder: GEM_CREATE: %s\n", strerror(errno));
			return 70;
		}
	}
	printf("holding %ld objects\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
