/* GEM and PRIME ioctls in small named helpers (as igt's lib/ does).
 * Each returns 0 or -errno; libdrm's drmIoctl already retries EINTR/EAGAIN. */
#ifndef GS_GEM_H
#define GS_GEM_H

#include <stdint.h>

#include "device/device.h"

/* Ids of the ioctls the workloads count errors for. */
enum gs_ioctl {
	GS_IOC_CREATE,
	GS_IOC_FLINK,
	GS_IOC_OPEN,
	GS_IOC_CLOSE,
	GS_IOC_MAP_OFFSET,
	GS_IOC_MMAP,
	GS_IOC_PRIME_EXPORT,
	GS_IOC_PRIME_IMPORT,
	GS_IOC_GET_MAGIC,
	GS_IOC_AUTH_MAGIC,
	GS_IOC_SET_MASTER,
	GS_IOC_DROP_MASTER,
	GS_IOC_CONTEXT_CREATE,
	GS_IOC_CONTEXT_DESTROY,
	GS_IOC_EXECBUF,
	GS_IOC_COUNT
};

const char *gs_ioctl_name(enum gs_ioctl ioc);

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
