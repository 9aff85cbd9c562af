#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "workloads/fd-pass.h"

int __fdpass_send(int sock, const void *msg, size_t len, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * WL_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int __fdpass_recv(int sock, void *msg, size_t len, int *fds, int maxfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * WL_MAX_FDS)];
		struct cmsghdr align;
	} u;
	for (;;) {
		struct iovec iov = { msg, len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		ssize_t r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)len)
			return -1;
		int n = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int got = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < got; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + (size_t)i * sizeof(int), sizeof(int));
				if (n < maxfds)
					fds[n++] = fd;
				else
					close(fd); /* more than asked for: a protocol error */
			}
		}
		return n;
	}
}

void fdpass_send(struct wl_proc *p, int sock, const void *msg, size_t len, const int *fds, int nfds)
{
	if (__fdpass_send(sock, msg, len, fds, nfds))
		wl_exit(p, 3);
}

int fdpass_recv(struct wl_proc *p, int sock, void *msg, size_t len, int *fds, int maxfds)
{
	int n = __fdpass_recv(sock, msg, len, fds, maxfds);
	if (n < 0)
		wl_exit(p, 3);
	return n;
}
