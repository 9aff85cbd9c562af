/* Fences: vgem's fences on buffer objects (DRM_IOCTL_VGEM_FENCE_ATTACH /
 * _SIGNAL, the uAPI's drm/vgem_drm.h, which Debian's headers do not
 * ship) and sync_file fds taken from or put into a dma-buf's reservation
 * object (DMA_BUF_IOCTL_EXPORT_SYNC_FILE / IMPORT_SYNC_FILE, Linux 6.0+).
 * igt-style: each returns 0 or -errno. */
#ifndef GS_FENCE_H
#define GS_FENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "device/gem.h"

/* vgem signals every fence of its own after this long (VGEM_FENCE_TIMEOUT,
 * 10 s since Linux 4.10), without an error status in 6.1: only the late
 * signaller's VGEM_FENCE_SIGNAL says so (-ETIMEDOUT). */
#define VGEM_FENCE_EXPIRY_MS 10000

/* Attach a new unsignalled fence to `handle` (a write fence when `write`);
 * vgem expires it by itself after VGEM_FENCE_EXPIRY_MS. -EBUSY when an
 * unsignalled fence of the object conflicts. */
int vgem_fence_attach(int fd, uint32_t handle, bool write, uint32_t *fence);
/* Signal and forget fence `fence` of file fd (-ETIMEDOUT when vgem had
 * expired it). */
int vgem_fence_signal(int fd, uint32_t fence);

/* The fences of dmabuf_fd a reader (write = false) or a writer (true)
 * must wait for, as a new sync_file fd (close-on-exec) the caller owns. */
int dmabuf_export_sync_file(int dmabuf_fd, bool write, int *sync_fd);
/* Add sync_fd's fence to dmabuf_fd as a read or write fence. */
int dmabuf_import_sync_file(int dmabuf_fd, bool write, int sync_fd);

/* Wait up to timeout_ms for a sync_file to signal: 0, -ETIME when it did
 * not, or -errno of poll. */
int sync_file_wait(int sync_fd, int timeout_ms);
/* Whether a sync_file has signalled, without waiting (SYNC_IOC_FILE_INFO):
 * 1 with *at_ns the kernel's CLOCK_MONOTONIC time of the signal (the
 * latest of its fences; the time of the call when it holds more than 8),
 * 0 when not yet, -errno when the ioctl fails or a fence signalled with
 * an error (its status). */
int sync_file_signalled_at(int sync_fd, int64_t *at_ns);

/* Does file fd (of any DRM driver) attach vgem fences and export them as
 * sync_files? One real attach/export/signal on a new object. */
bool fence_probe(int fd, enum gs_driver_kind kind);

#endif
