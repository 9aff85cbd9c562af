#include <errno.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "device/kms.h"

int kms_scanout_handle(int fd, uint32_t *handle)
{
	drmModeResPtr res = drmModeGetResources(fd);
	if (!res)
		return errno ? -errno : -ENODEV;
	int r = -ENOENT;
	for (int i = 0; i < res->count_crtcs && r == -ENOENT; i++) {
		drmModeCrtcPtr crtc = drmModeGetCrtc(fd, res->crtcs[i]);
		if (!crtc)
			continue;
		if (crtc->buffer_id) {
			drmModeFBPtr fb = drmModeGetFB(fd, crtc->buffer_id);
			if (!fb) {
				r = errno ? -errno : -EIO;
			} else {
				*handle = fb->handle;
				r = fb->handle ? 0 : -EACCES; /* no handle without master/CAP_SYS_ADMIN */
				drmModeFreeFB(fb);
			}
		}
		drmModeFreeCrtc(crtc);
	}
	drmModeFreeResources(res);
	return r;
}
