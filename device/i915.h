/* i915 ioctls in small named helpers (as igt's lib/ioctl_wrappers.c does):
 * parameters, contexts and the smallest execbuf that binds objects into a
 * context's address space. Each returns 0 or -errno. Written from the uAPI
 * in <i915_drm.h>. */
#ifndef GS_I915_H
#define GS_I915_H

#include <stdint.h>

/* DRM_IOCTL_I915_GETPARAM */
int i915_getparam(int fd, int32_t param, int32_t *value);
/* I915_PARAM_HAS_ALIASING_PPGTT: 0 none, 1 aliasing, 2 full, 3 full 48-bit.
 * Full PPGTT (> 1) gives every file and context its own address space,
 * which is what seed 004's VMA leak needs. */
int i915_ppgtt_mode(int fd, int *mode);
const char *i915_ppgtt_name(int mode);

/* DRM_IOCTL_I915_GEM_CONTEXT_CREATE / _DESTROY */
int i915_context_create(int fd, uint32_t *ctx);
int i915_context_destroy(int fd, uint32_t ctx);

/* A 4 KiB batch holding MI_BATCH_BUFFER_END (created and written here). */
int i915_batch_create(int fd, uint32_t *handle);

/* EXECBUFFER2 of `batch` on context ctx (0 = the file's default context)
 * with objects[0..n) in the exec list before it: each gets a VMA in the
 * context's address space. */
int i915_exec_nop(int fd, uint32_t ctx, uint32_t batch, const uint32_t *objects, unsigned n);

#endif
