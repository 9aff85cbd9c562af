#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm.h>
#include <i915_drm.h>

#include "device/gem.h"
#include "device/ioctl.h"

/* i915 has its own create ioctl; other GEM drivers get dumb buffers, which
 * vgem, virtio-gpu and the KMS drivers all implement. */
int gem_create(int fd, enum gs_driver_kind kind, uint64_t size, uint32_t *handle)
{
	if (kind == GS_DRIVER_I915) {
		struct drm_i915_gem_create c = { .size = size };
		int r = device_ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c);
		if (!r)
			*handle = c.handle;
		return r;
	}
	/* A dumb buffer is width x height x bpp: make it 32 bpp, one page wide. */
	uint64_t pitch_px = 1024;
	uint64_t height = (size + pitch_px * 4 - 1) / (pitch_px * 4);
	uint32_t pitch;
	uint64_t got;
	int r = drmModeCreateDumbBuffer(fd, (uint32_t)pitch_px, (uint32_t)height, 32, 0,
					handle, &pitch, &got);
	return r ? -errno : 0;
}

int gem_flink(int fd, uint32_t handle, uint32_t *name)
{
	struct drm_gem_flink f = { .handle = handle };
	int r = device_ioctl(fd, DRM_IOCTL_GEM_FLINK, &f);
	if (!r)
		*name = f.name;
	return r;
}

int gem_open(int fd, uint32_t name, uint32_t *handle, uint64_t *size)
{
	struct drm_gem_open o = { .name = name };
	int r = device_ioctl(fd, DRM_IOCTL_GEM_OPEN, &o);
	if (!r) {
		*handle = o.handle;
		if (size)
			*size = o.size;
	}
	return r;
}

int gem_close(int fd, uint32_t handle)
{
	return drmCloseBufferHandle(fd, handle) ? -errno : 0;
}

int gem_map_offset(int fd, uint32_t handle, uint64_t *offset)
{
	return drmModeMapDumbBuffer(fd, handle, offset) ? -errno : 0;
}

int gem_touch(int fd, uint64_t offset, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	long page = sysconf(_SC_PAGESIZE);
	for (uint64_t o = 0; o < size; o += (uint64_t)page)
		((volatile char *)p)[o] = (char)o;
	munmap(p, size);
	return 0;
}

int prime_export(int fd, uint32_t handle, int *dmabuf_fd)
{
	return drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR, dmabuf_fd) ? -errno : 0;
}

int prime_import(int fd, int dmabuf_fd, uint32_t *handle)
{
	return drmPrimeFDToHandle(fd, dmabuf_fd, handle) ? -errno : 0;
}
