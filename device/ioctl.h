/* The bottom of device/: the one call every ioctl helper goes through and
 * the ids of the ioctls the workloads count errors for. It includes
 * nothing of device/, so every other file here may include it. */
#ifndef GS_IOCTL_H
#define GS_IOCTL_H

/* Ids of the ioctls the workloads count errors for; a new one also gets
 * its name in ioctl_names[] of device/ioctl.c. */
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

/* The kernel's name of ioctl id ioc (as in metric names); "?" for an id
 * out of range. */
const char *gs_ioctl_name(enum gs_ioctl ioc);

/* drmIoctl (which retries EINTR and EAGAIN) returning 0 or -errno, the
 * way every ioctl helper in device/ reports. */
int device_ioctl(int fd, unsigned long request, void *arg);

#endif
