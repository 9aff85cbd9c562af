/* The messages between the LD_PRELOAD shim (tests/model/shim.c) and the
 * kernel model server (tests/model/model-server.c).
 *
 * Each thread of a process under the shim keeps one SOCK_SEQPACKET
 * connection to the server and sends one request at a time; the server
 * serves each connection in its own thread, so ioctls of concurrent
 * workers really run concurrently in the model, as in the kernel.
 *
 * A DRM file or a dma-buf is one end of a socketpair the server made and
 * passed over (SCM_RIGHTS): the process holds it like any fd, fork and
 * SCM_RIGHTS share it, and when its last copy closes (also on SIGKILL) the
 * server's end sees the hang-up, which is the file's release. */
#ifndef GS_MODEL_PROTOCOL_H
#define GS_MODEL_PROTOCOL_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define GSM_MAX_PAYLOAD 65536

enum gsm_op {
	GSM_OPEN = 1,   /* open() of the device: reply carries the file's fd */
	GSM_IOCTL = 2,  /* payload = the ioctl's argument (see shim.c for the
			 * ioctls with pointers); a dma-buf fd may ride along */
	GSM_DMABUF_SIZE = 3, /* an fd rides along: is it a dma-buf, how big?
			      * (lseek(SEEK_END) and mmap of dma-bufs) */
	GSM_SYNC = 4,   /* after close() of a file or dma-buf fd: the server
			 * releases what hung up before it replies */
	GSM_DEBUGFS = 5, /* payload = a path under the debugfs dir: the reply
			  * carries a memfd with the file as it is now (ret 1:
			  * not a file of the model's) */
	GSM_INFO = 6,   /* reply payload = the debugfs dir */
	GSM_MAP = 7,    /* mmap of a DRM file (payload = the fake offset) or of
			 * a dma-buf (its fd rides along): the reply carries the
			 * object's memfd, size = its size, file_id = the page
			 * offset within it */
	GSM_FDINFO = 8, /* payload = struct gsm_fdinfo: is that socket inode a
			 * DRM file's user end? ret 1: no; 0: yes, and with
			 * text a memfd with its fdinfo rides back */
};

struct gsm_fdinfo {
	uint64_t ino;
	uint32_t text;
};

struct gsm_req {
	uint32_t op;
	uint32_t file_id;     /* GSM_IOCTL: the file from GSM_OPEN's reply */
	uint64_t ioctl;       /* request number */
	uint32_t len;         /* payload bytes that follow */
	uint32_t has_fd;      /* a dma-buf fd is attached (SCM_RIGHTS) */
};

struct gsm_rep {
	int32_t ret;          /* 0 or -errno */
	uint32_t len;         /* payload bytes that follow */
	uint32_t file_id;     /* GSM_OPEN: the new file */
	uint32_t has_fd;      /* an fd is attached (SCM_RIGHTS) */
	uint64_t size;        /* GSM_DMABUF_SIZE */
};

/* A dma-buf's user end is bound to the abstract address
 * "\0" GSM_DMABUF_NAME "<server pid>.<fd set id>.<size>", so that a
 * process tells a dma-buf and its size with getsockname(), without asking
 * the server (prime-share checks each dma-buf's size every cycle). */
#define GSM_DMABUF_NAME "gs-model-dmabuf."

/* DRM_IOCTL_VERSION's reply payload (its strings are pointers). */
struct gsm_version {
	int32_t major, minor, patchlevel;
	char name[32], date[16], desc[64];
};

/* DRM_IOCTL_I915_GETPARAM: request payload is the param, reply the value. */
struct gsm_getparam {
	int32_t param;
	int32_t value;
};

/* Control buffer for one passed fd. */
union gsm_cmsg {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* Attach fd to mh (SCM_RIGHTS), using cm as its control buffer. */
static inline void gsm_attach_fd(struct msghdr *mh, union gsm_cmsg *cm, int fd)
{
	mh->msg_control = cm->buf;
	mh->msg_controllen = sizeof(cm->buf);
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
}

/* The fd a received message carried, or -1. */
static inline int gsm_received_fd(struct msghdr *mh)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	int fd = -1;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

#endif
