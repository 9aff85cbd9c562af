#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <xf86drm.h>
#include <i915_drm.h>

#include "device/gem.h"
#include "device/i915.h"
#include "device/ioctl.h"

/* Not in the uAPI header: the command that ends a batch (MI opcode 0x0a). */
#define MI_BATCH_BUFFER_END (0x0aU << 23)

#define MAX_EXEC_OBJECTS 64

int i915_getparam(int fd, int32_t param, int32_t *value)
{
	int v = 0;
	drm_i915_getparam_t gp = { .param = param, .value = &v };
	int r = device_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp);
	if (!r)
		*value = v;
	return r;
}

int i915_ppgtt_mode(int fd, int *mode)
{
	int32_t v;
	int r = i915_getparam(fd, I915_PARAM_HAS_ALIASING_PPGTT, &v);
	if (!r)
		*mode = v;
	return r;
}

const char *i915_ppgtt_name(int mode)
{
	switch (mode) {
	case 0: return "none";
	case 1: return "aliasing";
	case 2: return "full";
	}
	return mode > 2 ? "full-48bit" : "?";
}

int i915_context_create(int fd, uint32_t *ctx)
{
	struct drm_i915_gem_context_create c = { 0 };
	int r = device_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &c);
	if (!r)
		*ctx = c.ctx_id;
	return r;
}

int i915_context_destroy(int fd, uint32_t ctx)
{
	struct drm_i915_gem_context_destroy d = { .ctx_id = ctx };
	return device_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &d);
}

/* Through a write-back CPU mapping, for GPUs without pwrite (discrete). */
static int write_mapped(int fd, uint32_t handle, const void *data, size_t len)
{
	struct drm_i915_gem_mmap_offset mo = { .handle = handle, .flags = I915_MMAP_OFFSET_WB };
	int r = device_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mo);
	if (r)
		return r;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mo.offset);
	if (p == MAP_FAILED)
		return -errno;
	memcpy(p, data, len);
	munmap(p, 4096);
	return 0;
}

int i915_batch_create(int fd, uint32_t *handle)
{
	int r = gem_create(fd, GS_DRIVER_I915, 4096, handle);
	if (r)
		return r;
	uint32_t bb[2] = { MI_BATCH_BUFFER_END, 0 };
	struct drm_i915_gem_pwrite pw = {
		.handle = *handle, .offset = 0, .size = sizeof(bb), .data_ptr = (uintptr_t)bb,
	};
	r = device_ioctl(fd, DRM_IOCTL_I915_GEM_PWRITE, &pw);
	if (r == -EOPNOTSUPP || r == -ENODEV)
		r = write_mapped(fd, *handle, bb, sizeof(bb));
	if (r)
		gem_close(fd, *handle);
	return r;
}

int i915_exec_nop(int fd, uint32_t ctx, uint32_t batch, const uint32_t *objects, unsigned n)
{
	if (n >= MAX_EXEC_OBJECTS)
		return -E2BIG;
	struct drm_i915_gem_exec_object2 exec[MAX_EXEC_OBJECTS];
	memset(exec, 0, sizeof(exec));
	for (unsigned i = 0; i < n; i++)
		exec[i].handle = objects[i];
	exec[n].handle = batch; /* the batch is the last object */
	struct drm_i915_gem_execbuffer2 eb = {
		.buffers_ptr = (uintptr_t)exec,
		.buffer_count = n + 1,
		.batch_len = 8,
		.flags = I915_EXEC_DEFAULT,
	};
	i915_execbuffer2_set_context_id(eb, ctx);
	return device_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb);
}
