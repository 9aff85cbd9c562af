/* gs-fb-keeper: the display-stack test's positive control, a client that
 * keeps one object per display-server restart through a long-lived
 * helper.
 *   gs-fb-keeper hold SOCKET   listen on SOCKET, print "ready" once it
 *                              listens, then keep every DRM file sent to
 *                              it open until it is killed (run it in the
 *                              background)
 *   gs-fb-keeper give SOCKET DEVICE
 *                              open DEVICE, create a 64x64 dumb buffer and
 *                              a framebuffer on it, hand the file to the
 *                              holder and wait until it has it
 * Each `give` leaves one framebuffer ("allocated by = gs-fb-keeper"), one
 * dumb object and one DRM file behind. Exit status 0, 1 on any error
 * (with a message naming the step). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

static int die(const char *what)
{
	fprintf(stderr, "gs-fb-keeper: %s: %s\n", what, strerror(errno));
	return 1;
}

static int addr_of(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(a->sun_path, path);
	return 0;
}

static int hold(const char *path)
{
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (s < 0 || addr_of(path, &a))
		return die("socket");
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16))
		return die(path);
	printf("ready\n"); /* listening: a give may connect now */
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		char byte;
		union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
		struct iovec iov = { &byte, 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				    .msg_controllen = sizeof(u.buf) };
		if (recvmsg(c, &m, 0) == 1)
			(void)!write(c, "k", 1); /* the fd stays open: that is the leak */
		close(c);
	}
}

static int give(const char *path, const char *device)
{
	int fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return die(device);
	struct drm_mode_create_dumb cd = { .width = 64, .height = 64, .bpp = 32 };
	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return die("MODE_CREATE_DUMB");
	struct drm_mode_fb_cmd fb = { .width = 64, .height = 64, .pitch = cd.pitch, .bpp = 32, .depth = 24,
				      .handle = cd.handle };
	if (ioctl(fd, DRM_IOCTL_MODE_ADDFB, &fb))
		return die("MODE_ADDFB");
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || addr_of(path, &a) || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return die(path);
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	memset(&u, 0, sizeof(u));
	char byte = 'f';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(s, &m, 0) != 1)
		return die("sendmsg");
	if (read(s, &byte, 1) != 1) /* the holder has the file */
		return die("holder's answer");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "give"))
		return give(argv[2], argv[3]);
	fprintf(stderr, "usage: gs-fb-keeper hold SOCKET | give SOCKET DEVICE\n");
	return 2;
}
