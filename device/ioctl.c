#include <errno.h>

#include <xf86drm.h>

#include "device/ioctl.h"

static const char *const ioctl_names[GS_IOC_COUNT] = {
	[GS_IOC_CREATE] = "GEM_CREATE",
	[GS_IOC_FLINK] = "GEM_FLINK",
	[GS_IOC_OPEN] = "GEM_OPEN",
	[GS_IOC_CLOSE] = "GEM_CLOSE",
	[GS_IOC_MAP_OFFSET] = "MAP_OFFSET",
	[GS_IOC_MMAP] = "MMAP",
	[GS_IOC_PRIME_EXPORT] = "PRIME_HANDLE_TO_FD",
	[GS_IOC_PRIME_IMPORT] = "PRIME_FD_TO_HANDLE",
	[GS_IOC_GET_MAGIC] = "GET_MAGIC",
	[GS_IOC_AUTH_MAGIC] = "AUTH_MAGIC",
	[GS_IOC_SET_MASTER] = "SET_MASTER",
	[GS_IOC_DROP_MASTER] = "DROP_MASTER",
	[GS_IOC_CONTEXT_CREATE] = "CONTEXT_CREATE",
	[GS_IOC_CONTEXT_DESTROY] = "CONTEXT_DESTROY",
	[GS_IOC_EXECBUF] = "EXECBUFFER2",
};

const char *gs_ioctl_name(enum gs_ioctl ioc)
{
	return ioc < GS_IOC_COUNT ? ioctl_names[ioc] : "?";
}

int device_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}
