#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device/master.h"
#include "workloads/share.h"

int wl_open_device(struct wl_proc *p, const char *path)
{
	if (!path)
		path = p->dev->path;
	int fd = device_open_fd(path);
	if (fd < 0) {
		wl_report(p, "device", "cannot open %s: %s", path, strerror(-fd));
		wl_exit(p, WL_EXIT_DEVICE);
	}
	p->dev_fd = fd;
	snprintf(p->dev_path, sizeof(p->dev_path), "%s", path);
	return fd;
}

int wl_open_client(struct wl_proc *p, const char *path)
{
	int fd = wl_open_device(p, path);
	master_release_if_held(fd);
	return fd;
}

int share_send(int sock, const void *msg, size_t len, const int *fds, int nfds)
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

int share_recv(int sock, void *msg, size_t len, int *fds, int maxfds)
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

void wl_send_msg(struct wl_proc *p, int sock, const void *msg, size_t len, const int *fds, int nfds)
{
	if (share_send(sock, msg, len, fds, nfds))
		wl_exit(p, 3);
}

int wl_recv_msg(struct wl_proc *p, int sock, void *msg, size_t len, int *fds, int maxfds)
{
	int n = share_recv(sock, msg, len, fds, maxfds);
	if (n < 0)
		wl_exit(p, 3);
	return n;
}

/* ---- layouts ---- */

struct layout {
	bool star;
	int n;               /* socketpairs */
	int sv[][2];
};

static void *layout_new(bool star, int n)
{
	struct layout *l = calloc(1, sizeof(*l) + (size_t)n * sizeof(l->sv[0]));
	if (!l)
		return NULL;
	l->star = star;
	for (; l->n < n; l->n++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l->sv[l->n]) < 0) {
			int e = errno;
			wl_layout_teardown(l);
			errno = e;
			return NULL;
		}
	}
	return l;
}

void *wl_pairs_setup(int pairs)
{
	return layout_new(false, pairs);
}

void *wl_star_setup(int spokes)
{
	return layout_new(true, spokes);
}

int wl_layout_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	struct layout *l = chan;
	if (!l->star) {
		fds[0] = l->sv[index / 2][index % 2];
		return 1;
	}
	if (index > 0) {
		fds[0] = l->sv[index - 1][1];
		return 1;
	}
	int n = 0;
	for (; n < l->n && n < max; n++)
		fds[n] = l->sv[n][0];
	return n;
}

void wl_layout_teardown(void *chan)
{
	struct layout *l = chan;
	for (int i = 0; i < l->n; i++) {
		close(l->sv[i][0]);
		close(l->sv[i][1]);
	}
	free(l);
}

/* ---- pseudo-random choices ---- */

void wl_rand_init(struct wl_rand *r, const struct wl_proc *p)
{
	r->s = (uint64_t)wl_get(p->cfg, "seed") * 0x9e3779b97f4a7c15ULL + (uint64_t)p->index;
}

uint64_t wl_rand_next(struct wl_rand *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t wl_rand_below(struct wl_rand *r, uint32_t n)
{
	return n ? (uint32_t)(wl_rand_next(r) % n) : 0;
}

void wl_backoff(unsigned *consecutive_errors)
{
	if (++*consecutive_errors > 100)
		usleep(10000);
}
