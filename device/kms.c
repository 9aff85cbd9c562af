#include <errno.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "device/kms.h"

int kms_scanout_fb(int fd, uint32_t *fb_id)
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
			*fb_id = crtc->buffer_id;
			r = 0;
		}
		drmModeFreeCrtc(crtc);
	}
	drmModeFreeResources(res);
	return r;
}

int kms_scanout_handle(int fd, uint32_t *handle)
{
	uint32_t id;
	int r = kms_scanout_fb(fd, &id);
	if (r)
		return r;
	drmModeFBPtr fb = drmModeGetFB(fd, id);
	if (!fb)
		return errno ? -errno : -EIO;
	*handle = fb->handle;
	r = fb->handle ? 0 : -EACCES; /* no handle without master/CAP_SYS_ADMIN */
	drmModeFreeFB(fb);
	return r;
}
