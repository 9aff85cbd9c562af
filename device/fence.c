#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "device/fence.h"
#include "device/gem.h"
#include "device/ioctl.h"

/* From include/uapi/drm/vgem_drm.h (Linux 4.10+). */
struct gs_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};
struct gs_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};
#define GS_VGEM_FENCE_WRITE 0x1
#define GS_IOCTL_VGEM_FENCE_ATTACH DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct gs_vgem_fence_attach)
#define GS_IOCTL_VGEM_FENCE_SIGNAL DRM_IOW(DRM_COMMAND_BASE + 0x2, struct gs_vgem_fence_signal)

int vgem_fence_attach(int fd, uint32_t handle, bool write, uint32_t *fence)
{
	struct gs_vgem_fence_attach a = { .handle = handle, .flags = write ? GS_VGEM_FENCE_WRITE : 0 };
	int r = device_ioctl(fd, GS_IOCTL_VGEM_FENCE_ATTACH, &a);
	if (r)
		return r;
	*fence = a.out_fence;
	return 0;
}

int vgem_fence_signal(int fd, uint32_t fence)
{
	struct gs_vgem_fence_signal s = { .fence = fence };
	return device_ioctl(fd, GS_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

int dmabuf_export_sync_file(int dmabuf_fd, bool write, int *sync_fd)
{
	struct dma_buf_export_sync_file e = { .flags = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ, .fd = -1 };
	int r = device_ioctl(dmabuf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e);
	if (r)
		return r;
	*sync_fd = e.fd;
	return 0;
}

int dmabuf_import_sync_file(int dmabuf_fd, bool write, int sync_fd)
{
	struct dma_buf_import_sync_file i = { .flags = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ,
					      .fd = sync_fd };
	return device_ioctl(dmabuf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i);
}

int sync_file_wait(int sync_fd, int timeout_ms)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLIN };
	for (;;) {
		int r = poll(&p, 1, timeout_ms);
		if (r > 0)
			return (p.revents & POLLIN) ? 0 : -EINVAL;
		if (r == 0)
			return -ETIME;
		if (errno != EINTR)
			return -errno;
	}
}

int sync_file_signalled_at(int sync_fd, int64_t *at_ns)
{
	/* A sync_file from a reservation object holds one fence per
	 * unsignalled user, a few at most; more are not read. */
	struct sync_fence_info fi[8];
	struct sync_file_info info = { .num_fences = 8, .sync_fence_info = (uintptr_t)fi };
	memset(fi, 0, sizeof(fi));
	int r = device_ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info);
	bool all = true;
	if (r == -EINVAL) {
		/* More fences than fi holds: the status alone. */
		info = (struct sync_file_info){ 0 };
		r = device_ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info);
		all = false;
	}
	if (r)
		return r;
	if (info.status <= 0)
		return info.status;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t latest = all ? 0 : (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec; /* an upper bound */
	for (uint32_t i = 0; all && i < info.num_fences; i++)
		if ((int64_t)fi[i].timestamp_ns > latest)
			latest = (int64_t)fi[i].timestamp_ns;
	*at_ns = latest;
	return 1;
}

bool fence_probe(int fd, enum gs_driver_kind kind)
{
	uint32_t h, fence = 0;
	int dmabuf = -1, sync = -1;
	if (gem_create(fd, kind, 4096, &h))
		return false;
	bool ok = prime_export(fd, h, &dmabuf) == 0 && vgem_fence_attach(fd, h, true, &fence) == 0;
	if (ok) {
		ok = dmabuf_export_sync_file(dmabuf, false, &sync) == 0;
		/* Signalled, the exported fence must read as signalled. */
		ok = vgem_fence_signal(fd, fence) == 0 && ok && sync_file_wait(sync, 1000) == 0;
	}
	if (sync >= 0)
		close(sync);
	if (dmabuf >= 0)
		close(dmabuf);
	gem_close(fd, h);
	return ok;
}
