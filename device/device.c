#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>
#include <i915_drm.h>

#include "common/util.h"
#include "binder/binder.h"
#include "device/device.h"
#include "device/fence.h"
#include "device/gem.h"
#include "device/master.h"
#include "device/i915.h"

int device_open_fd(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static bool driver_name(int fd, char *out, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);
	if (!v)
		return false;
	snprintf(out, len, "%s", v->name ? v->name : "?");
	drmFreeVersion(v);
	return true;
}

/* Try it: DRM_CAP_DUMB_BUFFER is refused by drivers without KMS (vgem)
 * that still create dumb buffers. */
static bool has_gem_create(int fd, const char *driver)
{
	enum gs_driver_kind kind = strcmp(driver, "i915") == 0 ? GS_DRIVER_I915 : GS_DRIVER_GENERIC;
	uint32_t h;
	if (gem_create(fd, kind, 4096, &h))
		return false;
	gem_close(fd, h);
	return true;
}

/* Primary nodes /dev/dri/card0..63 in order. libdrm's drmGetDevices2 is
 * not used because it skips devices without a bus it knows (vgem). */
int device_resolve(const char *spec, char *path, size_t pathlen, char *err, size_t errlen)
{
	if (strcmp(spec, "auto") != 0) {
		snprintf(path, pathlen, "%s", spec);
		return 0;
	}
	char any[256] = "";
	bool seen = false;
	for (int minor = 0; minor < 64; minor++) {
		char node[64];
		snprintf(node, sizeof(node), "/dev/dri/card%d", minor);
		int fd = device_open_fd(node);
		if (fd < 0)
			continue;
		seen = true;
		char drv[32];
		bool gem = driver_name(fd, drv, sizeof(drv)) && has_gem_create(fd, drv);
		close(fd);
		if (gem && strcmp(drv, "i915") == 0) {
			snprintf(path, pathlen, "%s", node);
			return 0;
		}
		if (gem && !any[0])
			snprintf(any, sizeof(any), "%s", node);
	}
	if (!any[0]) {
		snprintf(err, errlen, seen ? "device = auto: no DRM device with GEM buffer objects found"
				       : "device = auto: no DRM device in /dev/dri (is a DRM driver such as i915 or vgem loaded?)");
		return -ENODEV;
	}
	snprintf(path, pathlen, "%s", any);
	return 0;
}

/* debugfs names directories after the primary node's minor (dri/0), also
 * when the configured path is a render node: find the card in sysfs. */
static int card_minor_of(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return -1;
	int minor = (int)minor(st.st_rdev);
	if (minor < 64)
		return minor;
	char dir[128];
	snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%d/device/drm", major(st.st_rdev), minor);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int card = -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (sscanf(e->d_name, "card%d", &card) == 1)
			break;
	closedir(d);
	return card;
}

/* A context and one batch run with object h in it, as the i915 workloads do. */
static bool i915_can_exec(int fd, uint32_t h)
{
	uint32_t ctx, batch;
	if (i915_context_create(fd, &ctx))
		return false;
	bool ok = i915_batch_create(fd, &batch) == 0;
	if (ok) {
		ok = i915_exec_nop(fd, ctx, batch, &h, 1) == 0;
		gem_close(fd, batch);
	}
	i915_context_destroy(fd, ctx);
	return ok;
}

/* One real cycle of each sharing path tells what the driver offers better
 * than any capability bit (vgem, say, has no KMS but does PRIME). */
static unsigned probe_caps(int fd, enum gs_driver_kind kind)
{
	unsigned caps = 0;
	uint32_t h, h2, name;
	if (gem_create(fd, kind, 4096, &h))
		return 0;
	caps |= GS_CAP_GEM_CREATE;
	if (gem_flink(fd, h, &name) == 0)
		caps |= GS_CAP_FLINK;
	uint64_t off;
	if (gem_map_offset(fd, h, &off) == 0 && gem_touch(fd, off, 4096) == 0)
		caps |= GS_CAP_MAP;
	int dmabuf;
	if (prime_export(fd, h, &dmabuf) == 0) {
		caps |= GS_CAP_PRIME_EXPORT;
		if (prime_import(fd, dmabuf, &h2) == 0) {
			caps |= GS_CAP_PRIME_IMPORT;
			if (h2 != h)
				gem_close(fd, h2);
		}
		close(dmabuf);
	}
	if (kind == GS_DRIVER_I915 && i915_can_exec(fd, h))
		caps |= GS_CAP_EXECBUF;
	gem_close(fd, h);
	if (master_probe(fd))
		caps |= GS_CAP_MASTER;
	return caps;
}

int device_probe(const char *path, struct gs_device *dev, char *err, size_t errlen)
{
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->path, sizeof(dev->path), "%s", path);
	int fd = device_open_fd(path);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open DRM device: %s", path, strerror(-fd));
		return fd;
	}
	if (!driver_name(fd, dev->driver, sizeof(dev->driver))) {
		snprintf(err, errlen, "%s: not a DRM device (DRM_IOCTL_VERSION failed: %s)", path,
			 strerror(errno));
		close(fd);
		return -ENODEV;
	}
	dev->kind = strcmp(dev->driver, "i915") == 0 ? GS_DRIVER_I915 : GS_DRIVER_GENERIC;
	dev->card_minor = card_minor_of(fd);
	dev->i915_ppgtt = dev->i915_chipset = -1;
	int32_t v;
	if (dev->kind == GS_DRIVER_I915 && i915_ppgtt_mode(fd, &dev->i915_ppgtt))
		dev->i915_ppgtt = -1;
	if (dev->kind == GS_DRIVER_I915 && i915_getparam(fd, I915_PARAM_CHIPSET_ID, &v) == 0)
		dev->i915_chipset = v;
	dev->caps = probe_caps(fd, dev->kind);
	/* The fence ioctls' numbers are vgem's own: other drivers have other
	 * ioctls there. */
	if (strcmp(dev->driver, "vgem") == 0 && fence_probe(fd, dev->kind))
		dev->caps |= GS_CAP_FENCE;
	/* Binder is no DRM device, but a workload's needs are one set of
	 * GS_CAP_* bits, so its client (binder/) is probed here too. */
	if (binder_probe(BINDER_DEFAULT_DEVICE))
		dev->caps |= GS_CAP_BINDER;
	close(fd);
	if (!(dev->caps & GS_CAP_GEM_CREATE)) {
		snprintf(err, errlen, "%s: driver %s cannot create GEM buffer objects", path,
			 dev->driver);
		return -ENOTSUP;
	}
	return 0;
}

int device_probe_cross_import(const char *exporter, const char *importer, char *err, size_t errlen)
{
	struct gs_device d;
	int r = device_probe(exporter, &d, err, errlen);
	if (r)
		return r;
	int a = device_open_fd(exporter), b = device_open_fd(importer);
	uint32_t h = 0, h2;
	int dmabuf = -1;
	const char *step = "open";
	if ((r = a < 0 ? a : b) < 0)
		goto out;
	step = "create";
	if ((r = gem_create(a, d.kind, 4096, &h)) != 0)
		goto out;
	step = "export";
	if ((r = prime_export(a, h, &dmabuf)) != 0)
		goto out;
	step = "import";
	if ((r = prime_import(b, dmabuf, &h2)) == 0)
		gem_close(b, h2);
out:
	if (r)
		snprintf(err, errlen, "%s cannot import PRIME buffers from %s (%s: %s)", importer, exporter,
			 step, strerror(-r));
	if (dmabuf >= 0)
		close(dmabuf);
	if (h)
		gem_close(a, h);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return r;
}

static int card_minor_of_path(const char *path)
{
	int fd = device_open_fd(path);
	if (fd < 0)
		return -1;
	int minor = card_minor_of(fd);
	close(fd);
	return minor;
}

int device_find_importer(const char *first, char *path, size_t pathlen, char *err, size_t errlen)
{
	int self = card_minor_of_path(first);
	for (int minor = 0; minor < 64; minor++) {
		char node[64], why[256];
		snprintf(node, sizeof(node), "/dev/dri/card%d", minor);
		if (minor == self || access(node, F_OK) != 0)
			continue;
		if (device_probe_cross_import(first, node, why, sizeof(why)) == 0) {
			snprintf(path, pathlen, "%s", node);
			return 0;
		}
	}
	snprintf(err, errlen, "device2 = auto: no other DRM device imports PRIME buffers from %s", first);
	return -ENODEV;
}

bool device_unplugged(int fd)
{
	struct drm_version v = { 0 };
	return drmIoctl(fd, DRM_IOCTL_VERSION, &v) < 0 && errno == ENODEV;
}

const char *device_cap_name(unsigned cap)
{
	switch (cap) {
	case GS_CAP_GEM_CREATE: return "GEM object creation";
	case GS_CAP_FLINK: return "flink names (GEM_FLINK/GEM_OPEN)";
	case GS_CAP_PRIME_EXPORT: return "PRIME export";
	case GS_CAP_PRIME_IMPORT: return "PRIME import";
	case GS_CAP_MAP: return "CPU mapping";
	case GS_CAP_MASTER: return "DRM master (SET_MASTER, AUTH_MAGIC)";
	case GS_CAP_EXECBUF: return "i915 contexts and execbuf";
	case GS_CAP_FENCE: return "vgem fences as sync_files (VGEM_FENCE_ATTACH, DMA_BUF_IOCTL_EXPORT_SYNC_FILE)";
	case GS_CAP_BINDER: return "binder IPC (" BINDER_DEFAULT_DEVICE ")";
	}
	return "?";
}
