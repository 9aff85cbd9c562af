/* KMS look-ups the workloads need. Each returns 0 or -errno. */
#ifndef GS_KMS_H
#define GS_KMS_H

#include <stdint.h>

/* The id of the framebuffer the first active CRTC scans out; any open
 * file may ask. -ENOENT when no CRTC has one. */
int kms_scanout_fb(int fd, uint32_t *fb_id);

/* A handle, in this file, to the object some CRTC scans out: the console's
 * framebuffer (fbcon) when no display server runs, as X reaches it at
 * start-up to copy the console's picture. Needs DRM master or
 * CAP_SYS_ADMIN; -ENOENT when no CRTC has a framebuffer. */
int kms_scanout_handle(int fd, uint32_t *handle);

#endif
