/* gs-model-shim.so: LD_PRELOAD this to run unmodified programs (gemsoakd,
 * its workers, test clients) against the kernel model.
 *
 *   GS_MODEL_SOCKET  the model server's socket
 *   GS_MODEL_DEV     the device path to intercept (e.g. /tmp/x/card0)
 *   GS_MODEL_MINOR   the DRM minor fstat reports (default 0)
 *
 * open()/openat() of GS_MODEL_DEV ask the server for a new DRM file; its fd
 * is a socket end the server handed over, so fork, SCM_RIGHTS and the last
 * close behave as with a device fd. ioctl() on such an fd is forwarded (the
 * argument is copied; the few ioctls with user pointers are unpacked
 * here), mmap() gives anonymous shared memory and fstat() says "character
 * device 226:N" so device discovery works unchanged. Every other fd goes
 * to the real libc. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <i915_drm.h>

#include "tests/model/protocol.h"

#define SHIM_MAX_FD 4096

/* Which fds are model files: the inode tells a reused fd number apart. */
static struct {
	ino_t ino;
	uint32_t file_id;
} files[SHIM_MAX_FD];

static __thread int conn = -1;
static __thread pid_t conn_pid;

#define REAL(name) static __typeof__(name) *real_##name; \
	if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static int real_fstat_of(int fd, struct stat *st)
{
	REAL(fstat);
	return real_fstat(fd, st);
}

static bool model_fd(int fd, uint32_t *id)
{
	if (fd < 0 || fd >= SHIM_MAX_FD || !files[fd].file_id)
		return false;
	struct stat st;
	if (real_fstat_of(fd, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_ino != files[fd].ino)
		return false;
	*id = files[fd].file_id;
	return true;
}

static bool is_device(const char *path)
{
	const char *dev = getenv("GS_MODEL_DEV");
	return dev && path && strcmp(path, dev) == 0;
}

/* One connection per thread; a forked child makes its own (its inherited
 * copy is its parent's and may even have been closed by close_range). */
static int connection(void)
{
	if (conn >= 0 && conn_pid == getpid())
		return conn;
	const char *path = getenv("GS_MODEL_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -ENOENT;
	strcpy(sa.sun_path, path);
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(s);
		return -e;
	}
	conn = s;
	conn_pid = getpid();
	return s;
}

/* One request and its reply; *got_fd gets an fd the server attached. */
static int transact(struct gsm_req *h, const void *in, int send_fd, struct gsm_rep *r,
		    void *out, size_t outcap, int *got_fd, bool cloexec)
{
	int s = connection();
	if (s < 0)
		return s;
	struct iovec iov[2] = { { h, sizeof(*h) }, { (void *)in, h->len } };
	union gsm_cmsg cm;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	if (send_fd >= 0) {
		h->has_fd = 1;
		gsm_attach_fd(&mh, &cm, send_fd);
	}
	while (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -EIO;
	struct iovec riov[2] = { { r, sizeof(*r) }, { out, outcap } };
	struct msghdr rm = { .msg_iov = riov, .msg_iovlen = 2, .msg_control = cm.buf,
			     .msg_controllen = sizeof(cm.buf) };
	ssize_t n;
	while ((n = recvmsg(s, &rm, cloexec ? MSG_CMSG_CLOEXEC : 0)) < 0)
		if (errno != EINTR)
			return -EIO;
	if (n < (ssize_t)sizeof(*r))
		return -EIO;
	int fd = gsm_received_fd(&rm);
	if (fd >= 0 && got_fd)
		*got_fd = fd;
	else if (fd >= 0)
		close(fd);
	return 0;
}

static int model_open(int flags)
{
	struct gsm_req h = { .op = GSM_OPEN };
	struct gsm_rep r;
	int fd = -1;
	int e = transact(&h, NULL, -1, &r, NULL, 0, &fd, (flags & O_CLOEXEC) != 0);
	if (!e && r.ret)
		e = r.ret;
	if (!e && fd < 0)
		e = -EIO;
	if (!e && fd >= SHIM_MAX_FD)
		e = -EMFILE;
	if (e) {
		if (fd >= 0)
			close(fd);
		errno = -e;
		return -1;
	}
	struct stat st;
	real_fstat_of(fd, &st);
	files[fd].ino = st.st_ino;
	files[fd].file_id = r.file_id;
	return fd;
}

static void copy_string(char *user, __kernel_size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (user && *len)
		memcpy(user, s, n < *len ? n : *len);
	*len = n;
}

static int model_ioctl(uint32_t id, unsigned long request, void *arg)
{
	static __thread unsigned char in[GSM_MAX_PAYLOAD], out[GSM_MAX_PAYLOAD];
	struct gsm_req h = { .op = GSM_IOCTL, .file_id = id, .ioctl = request };
	struct gsm_rep r;
	int send_fd = -1, got_fd = -1;
	bool cloexec = false;
	size_t size = _IOC_SIZE(request);

	switch (request) {
	case DRM_IOCTL_VERSION:
		break;
	case DRM_IOCTL_I915_GETPARAM: {
		struct gsm_getparam gp = { .param = ((drm_i915_getparam_t *)arg)->param };
		memcpy(in, &gp, sizeof(gp));
		h.len = sizeof(gp);
		break;
	}
	case DRM_IOCTL_I915_GEM_EXECBUFFER2: {
		struct drm_i915_gem_execbuffer2 *eb = arg;
		size_t objs = (size_t)eb->buffer_count * sizeof(struct drm_i915_gem_exec_object2);
		if (objs > sizeof(in) - sizeof(*eb)) {
			errno = E2BIG;
			return -1;
		}
		memcpy(in, eb, sizeof(*eb));
		memcpy(in + sizeof(*eb), (void *)(uintptr_t)eb->buffers_ptr, objs);
		h.len = (uint32_t)(sizeof(*eb) + objs);
		break;
	}
	default:
		if (size > sizeof(in)) {
			errno = EINVAL;
			return -1;
		}
		if (_IOC_DIR(request) & _IOC_WRITE)
			memcpy(in, arg, size);
		h.len = (_IOC_DIR(request) & _IOC_WRITE) ? (uint32_t)size : 0;
		if (request == DRM_IOCTL_PRIME_FD_TO_HANDLE)
			send_fd = ((struct drm_prime_handle *)arg)->fd;
		if (request == DRM_IOCTL_PRIME_HANDLE_TO_FD)
			cloexec = (((struct drm_prime_handle *)arg)->flags & DRM_CLOEXEC) != 0;
	}

	int e = transact(&h, in, send_fd, &r, out, sizeof(out), &got_fd, cloexec);
	if (!e)
		e = r.ret;
	if (e) {
		if (got_fd >= 0)
			close(got_fd);
		errno = -e;
		return -1;
	}
	switch (request) {
	case DRM_IOCTL_VERSION: {
		struct drm_version *v = arg;
		const struct gsm_version *mv = (const void *)out;
		v->version_major = mv->major;
		v->version_minor = mv->minor;
		v->version_patchlevel = mv->patchlevel;
		copy_string(v->name, &v->name_len, mv->name);
		copy_string(v->date, &v->date_len, mv->date);
		copy_string(v->desc, &v->desc_len, mv->desc);
		break;
	}
	case DRM_IOCTL_I915_GETPARAM:
		*((drm_i915_getparam_t *)arg)->value = ((struct gsm_getparam *)out)->value;
		break;
	case DRM_IOCTL_MODE_GETRESOURCES: {
		/* counts always; the CRTC ids when the caller made room */
		struct drm_mode_card_res *res = arg, *m = (void *)out;
		uint32_t room = res->count_crtcs;
		if (room >= m->count_crtcs && res->crtc_id_ptr)
			memcpy((void *)(uintptr_t)res->crtc_id_ptr, out + sizeof(*m),
			       m->count_crtcs * sizeof(uint32_t));
		uint64_t ptrs[4] = { res->fb_id_ptr, res->crtc_id_ptr, res->connector_id_ptr,
				     res->encoder_id_ptr };
		memcpy(res, m, sizeof(*res));
		res->fb_id_ptr = ptrs[0];
		res->crtc_id_ptr = ptrs[1];
		res->connector_id_ptr = ptrs[2];
		res->encoder_id_ptr = ptrs[3];
		break;
	}
	case DRM_IOCTL_I915_GEM_EXECBUFFER2: {
		struct drm_i915_gem_execbuffer2 *eb = arg;
		memcpy((void *)(uintptr_t)eb->buffers_ptr, out,
		       (size_t)eb->buffer_count * sizeof(struct drm_i915_gem_exec_object2));
		break;
	}
	default:
		if ((_IOC_DIR(request) & _IOC_READ) && r.len >= size)
			memcpy(arg, out, size);
		if (request == DRM_IOCTL_PRIME_HANDLE_TO_FD)
			((struct drm_prime_handle *)arg)->fd = got_fd;
	}
	return 0;
}

/* ---- the intercepted calls ---- */

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	uint32_t id;
	if (model_fd(fd, &id))
		return model_ioctl(id, request, arg);
	REAL(ioctl);
	return real_ioctl(fd, request, arg);
}

static int open_common(const char *path, int flags, mode_t mode, int dirfd, bool at)
{
	if (is_device(path))
		return model_open(flags);
	if (at) {
		REAL(openat);
		return real_openat(dirfd, path, flags, mode);
	}
	REAL(open);
	return real_open(path, flags, mode);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return open_common(path, flags, mode, AT_FDCWD, false);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return open_common(path, flags, mode, dirfd, true);
}

int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	return open_common(path, flags, 0, AT_FDCWD, false);
}

int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));

int close(int fd)
{
	if (fd >= 0 && fd < SHIM_MAX_FD)
		files[fd].file_id = 0;
	REAL(close);
	return real_close(fd);
}

/* A dma-buf fd (a socket end to the kernel) asks the server for its size;
 * -ESPIPE when it is not one of the model's dma-bufs. */
static int model_dmabuf_size(int fd, uint64_t *size)
{
	if (!getenv("GS_MODEL_SOCKET"))
		return -ESPIPE;
	struct stat st;
	if (real_fstat_of(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ESPIPE;
	struct gsm_req h = { .op = GSM_DMABUF_SIZE };
	struct gsm_rep r;
	int e = transact(&h, NULL, fd, &r, NULL, 0, NULL, false);
	if (!e && !r.ret)
		*size = r.size;
	return e ? e : r.ret;
}

off_t lseek(int fd, off_t off, int whence)
{
	REAL(lseek);
	off_t r = real_lseek(fd, off, whence);
	uint64_t size;
	if (r < 0 && errno == ESPIPE && model_dmabuf_size(fd, &size) == 0) {
		/* dma_buf_llseek: only SEEK_END and SEEK_SET to offset 0 */
		if (off != 0 || (whence != SEEK_END && whence != SEEK_SET)) {
			errno = EINVAL;
			return -1;
		}
		return whence == SEEK_END ? (off_t)size : 0;
	}
	return r;
}

off_t lseek64(int fd, off_t off, int whence) __attribute__((alias("lseek")));

static void *map_common(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	uint32_t id;
	REAL(mmap);
	if (model_fd(fd, &id))
		return real_mmap(addr, len, prot, (flags & ~MAP_PRIVATE) | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	void *p = real_mmap(addr, len, prot, flags, fd, off);
	uint64_t size;
	if (p == MAP_FAILED && errno == ENODEV && model_dmabuf_size(fd, &size) == 0) {
		if ((uint64_t)off + len > size) {
			errno = EINVAL;
			return MAP_FAILED;
		}
		return real_mmap(addr, len, prot, (flags & ~MAP_PRIVATE) | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return map_common(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) __attribute__((alias("mmap")));

static void fake_device(int fd, struct stat *st)
{
	uint32_t id;
	if (!model_fd(fd, &id))
		return;
	const char *m = getenv("GS_MODEL_MINOR");
	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = makedev(226, m ? (unsigned)atoi(m) : 0);
}

int fstat(int fd, struct stat *st)
{
	int r = real_fstat_of(fd, st);
	if (r == 0)
		fake_device(fd, st);
	return r;
}

int fstat64(int fd, struct stat64 *st)
{
	return fstat(fd, (struct stat *)st);
}
