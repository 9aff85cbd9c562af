#include <errno.h>

#include <xf86drm.h>

#include "device/master.h"

int master_set(int fd)
{
	return drmSetMaster(fd) ? -errno : 0;
}

int master_drop(int fd)
{
	return drmDropMaster(fd) ? -errno : 0;
}

int master_get_magic(int fd, uint32_t *magic)
{
	drm_magic_t m;
	if (drmGetMagic(fd, &m))
		return -errno;
	*magic = (uint32_t)m;
	return 0;
}

int master_auth_magic(int fd, uint32_t magic)
{
	return drmAuthMagic(fd, (drm_magic_t)magic) ? -errno : 0;
}

bool master_is_held(int fd)
{
	return drmIsMaster(fd);
}

bool master_probe(int fd)
{
	return master_set(fd) == 0 && master_drop(fd) == 0;
}

void master_release_if_held(int fd)
{
	if (master_is_held(fd))
		master_drop(fd);
}
