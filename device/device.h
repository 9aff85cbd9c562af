/* The top of device/: finding, opening and probing a DRM device for what
 * the workloads need. It calls the helpers below it (gem.h, master.h,
 * i915.h, fence.h over ioctl.h, the bottom) and the binder client
 * (binder/), none of which includes this header. The daemon only probes
 * here and then closes the fd. */
#ifndef GS_DEVICE_H
#define GS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "device/gem.h"

/* Capabilities a workload can require; probed by device_probe(). */
enum {
	GS_CAP_GEM_CREATE = 1u << 0, /* driver create ioctl or dumb buffers */
	GS_CAP_FLINK      = 1u << 1, /* GEM_FLINK / GEM_OPEN on this node */
	GS_CAP_PRIME_EXPORT = 1u << 2,
	GS_CAP_PRIME_IMPORT = 1u << 3,
	GS_CAP_MAP        = 1u << 4, /* CPU mmap of objects */
	GS_CAP_MASTER     = 1u << 5, /* SET/DROP_MASTER and AUTH_MAGIC (primary node) */
	GS_CAP_EXECBUF    = 1u << 6, /* i915: contexts and execbuf (VMAs) */
	GS_CAP_FENCE      = 1u << 7, /* vgem fences exported as sync_files from dma-bufs */
	GS_CAP_BINDER     = 1u << 8, /* /dev/binder opens and speaks the current protocol */
};

struct gs_device {
	char path[256];      /* /dev/dri/cardN */
	char driver[32];     /* "vgem", "i915", ... from DRM_IOCTL_VERSION */
	enum gs_driver_kind kind;
	int card_minor;      /* N of debugfs dri/N (the primary node) */
	unsigned caps;       /* GS_CAP_* */
	int i915_ppgtt;      /* I915_PARAM_HAS_ALIASING_PPGTT; -1 when not i915 */
	int i915_chipset;    /* I915_PARAM_CHIPSET_ID (PCI device id); -1 unknown */
};

/* Resolve "auto" to the first i915 device, else the first with GEM;
 * an explicit path is used as it is. err gets a message on failure. */
int device_resolve(const char *spec, char *path, size_t pathlen, char *err, size_t errlen);

/* Open a device node read-write with O_CLOEXEC; -errno on failure. */
int device_open_fd(const char *path);

/* Open path, identify the driver, find the debugfs minor and probe caps
 * by doing one real create/flink/export/import/close cycle. */
int device_probe(const char *path, struct gs_device *dev, char *err, size_t errlen);

/* Can `importer` import a PRIME buffer that `exporter` made? One real
 * create/export/import cycle; err says what failed. */
int device_probe_cross_import(const char *exporter, const char *importer, char *err, size_t errlen);

/* "auto" for a second device: the first primary node of another DRM
 * device that imports PRIME buffers `first` exported. */
int device_find_importer(const char *first, char *path, size_t pathlen, char *err, size_t errlen);

const char *device_cap_name(unsigned cap);

/* Does fd's device answer no ioctl any more (ENODEV: drm_dev_unplug(),
 * the driver was unbound)? */
bool device_unplugged(int fd);

#endif
