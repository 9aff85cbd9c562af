/* GEM and PRIME ioctls in small named helpers (as igt's lib/ does).
 * Each returns 0 or -errno; libdrm's drmIoctl already retries EINTR/EAGAIN. */
#ifndef GS_GEM_H
#define GS_GEM_H

#include <stdint.h>

#include "device/ioctl.h"

/* Which create ioctl a driver takes: i915's own, or dumb buffers. */
enum gs_driver_kind { GS_DRIVER_GENERIC, GS_DRIVER_I915 };

int gem_create(int fd, enum gs_driver_kind kind, uint64_t size, uint32_t *handle);
int gem_flink(int fd, uint32_t handle, uint32_t *name);
int gem_open(int fd, uint32_t name, uint32_t *handle, uint64_t *size);
int gem_close(int fd, uint32_t handle);
int gem_map_offset(int fd, uint32_t handle, uint64_t *offset);
/* mmap the object at the fake offset, write one byte per page, unmap. */
int gem_touch(int fd, uint64_t offset, uint64_t size);
int prime_export(int fd, uint32_t handle, int *dmabuf_fd);
int prime_import(int fd, int dmabuf_fd, uint32_t *handle);

#endif
