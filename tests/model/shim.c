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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
static pid_t server_pid;          /* the model server (SO_PEERCRED of a connection) */

/* The model's debugfs dir (GSM_INFO), asked once (children inherit it). */
static pthread_mutex_t info_lock = PTHREAD_MUTEX_INITIALIZER;
static char debugfs_prefix[4096];
static bool debugfs_known;

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
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		server_pid = cred.pid;
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

/* A bare request (no payload) and its reply. */
static int simple_request(uint32_t op, const void *in, uint32_t len, int send_fd, struct gsm_rep *r,
			  void *out, size_t outcap, int *got_fd, bool cloexec)
{
	struct gsm_req h = { .op = op, .len = len };
	int e = transact(&h, in, send_fd, r, out, outcap, got_fd, cloexec);
	return e ? e : r->ret;
}

/* The debugfs dir of the model, "" when there is none. */
static const char *model_debugfs(void)
{
	if (!getenv("GS_MODEL_SOCKET"))
		return "";
	pthread_mutex_lock(&info_lock);
	if (!debugfs_known) {
		struct gsm_rep r;
		char dir[sizeof(debugfs_prefix)] = "";
		if (simple_request(GSM_INFO, NULL, 0, -1, &r, dir, sizeof(dir) - 1, NULL, false) == 0) {
			dir[sizeof(dir) - 1] = '\0';
			snprintf(debugfs_prefix, sizeof(debugfs_prefix), "%s", dir);
			debugfs_known = true;
		}
	}
	pthread_mutex_unlock(&info_lock);
	return debugfs_prefix;
}

/* path made absolute, "//" and "/./" collapsed; false when too long. */
static bool normal_path(const char *path, char *out, size_t len)
{
	char tmp[4096];
	if (path[0] == '/') {
		if (strlen(path) >= sizeof(tmp))
			return false;
		strcpy(tmp, path);
	} else {
		if (!getcwd(tmp, sizeof(tmp)) || strlen(tmp) + 1 + strlen(path) >= sizeof(tmp))
			return false;
		strcat(tmp, "/");
		strcat(tmp, path);
	}
	size_t n = 0;
	for (const char *p = tmp; *p; p++) {
		if (*p == '/' && p[1] == '/')
			continue;
		if (*p == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) {
			p++; /* "/." goes, the next '/' stays */
			continue;
		}
		if (n + 1 >= len)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return true;
}

/* The path below the model's debugfs dir, or NULL. */
static const char *debugfs_rel(const char *path, char *buf, size_t len)
{
	if (!path || !getenv("GS_MODEL_SOCKET"))
		return NULL;
	const char *dir = model_debugfs();
	size_t dl = strlen(dir);
	if (!dl || !normal_path(path, buf, len) || strncmp(buf, dir, dl) != 0 || buf[dl] != '/')
		return NULL;
	return buf + dl + 1;
}

/* open() of a debugfs file: its contents now, or 1 when the model has no
 * such file (the real one is opened). */
static int debugfs_open(const char *rel, int flags, int *fd)
{
	struct gsm_rep r;
	*fd = -1;
	int e = simple_request(GSM_DEBUGFS, rel, (uint32_t)strlen(rel), -1, &r, NULL, 0, fd,
			       (flags & O_CLOEXEC) != 0);
	if (e == 0 && *fd < 0)
		e = -EIO;
	return e;
}

/* Is fd a socket end the model server made (a file or a dma-buf)? */
static bool model_socket(int fd)
{
	struct stat st;
	if (!getenv("GS_MODEL_SOCKET") || real_fstat_of(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.pid == getpid())
		return false;
	if (!server_pid && connection() < 0)
		return false;
	return cred.pid == server_pid;
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
	case DRM_IOCTL_I915_GEM_PWRITE: {
		/* the data rides along when it fits (the objects have contents) */
		struct drm_i915_gem_pwrite *pw = arg;
		memcpy(in, pw, sizeof(*pw));
		h.len = sizeof(*pw);
		if (pw->size <= sizeof(in) - sizeof(*pw)) {
			memcpy(in + sizeof(*pw), (void *)(uintptr_t)pw->data_ptr, pw->size);
			h.len += (uint32_t)pw->size;
		}
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
	case DRM_IOCTL_I915_GEM_MMAP: {
		/* i915_gem_mmap_ioctl maps it here (vm_mmap of the shmem file) */
		struct drm_i915_gem_mmap *a = arg;
		REAL(mmap);
		void *p = got_fd < 0 ? MAP_FAILED :
			  real_mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, got_fd, (off_t)a->offset);
		int me = errno;
		if (got_fd >= 0)
			close(got_fd);
		if (p == MAP_FAILED) {
			errno = got_fd < 0 ? EIO : me;
			return -1;
		}
		a->addr_ptr = (uint64_t)(uintptr_t)p;
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

/* "/proc/self/fd/N" (or /proc/PID/fd/N of this process) naming a model
 * file: igt's way of opening the device again. */
static bool reopens_model_file(const char *path)
{
	if (!path || strncmp(path, "/proc/", 6) != 0)
		return false;
	const char *p = path + 6, *fdpart = NULL;
	char mine[32];
	snprintf(mine, sizeof(mine), "%d/fd/", (int)getpid());
	if (strncmp(p, "self/fd/", 8) == 0)
		fdpart = p + 8;
	else if (strncmp(p, mine, strlen(mine)) == 0)
		fdpart = p + strlen(mine);
	if (!fdpart || !*fdpart)
		return false;
	char *end;
	long n = strtol(fdpart, &end, 10);
	uint32_t id;
	return *end == '\0' && n >= 0 && n < SHIM_MAX_FD && model_fd((int)n, &id);
}

/* The socket inode behind "/proc/PID/fd/N" (link "socket:[INO]"), read
 * with the real readlink; false when it is not a socket. */
static bool proc_fd_socket(const char *fdpath, uint64_t *ino)
{
	static ssize_t (*real_readlink)(const char *, char *, size_t);
	if (!real_readlink)
		real_readlink = (ssize_t (*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
	char link[64];
	ssize_t n = real_readlink(fdpath, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	unsigned long long v;
	if (sscanf(link, "socket:[%llu]", &v) != 1)
		return false;
	*ino = v;
	return true;
}

/* "/proc/PID/fdinfo/N" (want "fdinfo") or "/proc/PID/fd/N" ("fd"): the
 * path of the fd's link, "/proc/PID/fd/N", in fdpath. */
static bool proc_fd_path(const char *path, const char *want, char *fdpath, size_t len)
{
	char pid[16], kind[8];
	int n, at = 0;
	if (!path || sscanf(path, "/proc/%15[^/]/%7[^/]/%d%n", pid, kind, &n, &at) != 3 || path[at] ||
	    strcmp(kind, want) != 0)
		return false;
	snprintf(fdpath, len, "/proc/%s/fd/%d", pid, n);
	return true;
}

static void real_close_fd(int fd)
{
	REAL(close);
	real_close(fd);
}

/* Is the fd at fdpath a DRM file of the model (its user end)? With
 * text, *fd gets a memfd with its fdinfo. */
static bool model_fdinfo(const char *fdpath, bool text, int *fd)
{
	struct gsm_fdinfo q = { 0, text };
	struct gsm_rep r;
	if (!getenv("GS_MODEL_SOCKET") || !proc_fd_socket(fdpath, &q.ino))
		return false;
	int got = -1;
	int e = simple_request(GSM_FDINFO, &q, sizeof(q), -1, &r, NULL, 0, text ? &got : NULL, true);
	if (e != 0 || (text && got < 0)) {
		if (got >= 0)
			real_close_fd(got);
		return false;
	}
	if (fd)
		*fd = got;
	return true;
}

/* readlink of another process's fd that is a model DRM file names the
 * device, as the kernel's link names /dev/dri/cardN. */
ssize_t readlink(const char *path, char *buf, size_t len)
{
	static ssize_t (*real_readlink)(const char *, char *, size_t);
	if (!real_readlink)
		real_readlink = (ssize_t (*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
	char fdpath[64];
	const char *dev = getenv("GS_MODEL_DEV");
	if (dev && proc_fd_path(path, "fd", fdpath, sizeof(fdpath)) && model_fdinfo(fdpath, false, NULL)) {
		size_t n = strlen(dev) < len ? strlen(dev) : len;
		memcpy(buf, dev, n);
		return (ssize_t)n;
	}
	return real_readlink(path, buf, len);
}

/* The absolute path openat(dirfd, path) names, for a relative path and
 * a directory fd: igt opens debugfs's dri/N once and its files relative
 * to it. path itself when it needs no directory; NULL when dirfd has no
 * path in /proc/self/fd or the result is too long. */
static const char *at_path(int dirfd, const char *path, char *buf, size_t len)
{
	if (!path || path[0] == '/' || dirfd == AT_FDCWD)
		return path;
	REAL(readlink);
	char link[64], dir[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	ssize_t n = real_readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0)
		return NULL;
	dir[n] = '\0';
	if (dir[0] != '/' || (size_t)snprintf(buf, len, "%s/%s", dir, path) >= len)
		return NULL;
	return buf;
}

static int open_common(const char *path, int flags, mode_t mode, int dirfd, bool at)
{
	if (is_device(path) || reopens_model_file(path))
		return model_open(flags);
	char fdpath[64];
	int info;
	if ((flags & O_ACCMODE) == O_RDONLY && proc_fd_path(path, "fdinfo", fdpath, sizeof(fdpath)) &&
	    model_fdinfo(fdpath, true, &info))
		return info;
	char buf[4096], full[4096];
	const char *abs = at ? at_path(dirfd, path, full, sizeof(full)) : path;
	const char *rel = abs && (flags & O_ACCMODE) == O_RDONLY ? debugfs_rel(abs, buf, sizeof(buf)) : NULL;
	if (rel) {
		int fd, e = debugfs_open(rel, flags, &fd);
		if (e <= 0) {
			errno = -e;
			return e ? -1 : fd;
		}
	}
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

/* The last close of a DRM file or dma-buf releases it before close()
 * returns, as in the kernel (fput's work runs before the return to user
 * space): the server sees the hang-up and releases it, then answers. */
int close(int fd)
{
	REAL(close);
	uint32_t id;
	bool sync = fd >= 0 && fd != conn && (model_fd(fd, &id) || model_socket(fd));
	if (fd >= 0 && fd < SHIM_MAX_FD)
		files[fd].file_id = 0;
	if (fd >= 0 && fd == conn)
		conn = -1; /* the program closed our connection: make a new one */
	int r = real_close(fd);
	int e = errno;
	if (r == 0 && sync) {
		struct gsm_rep rep;
		simple_request(GSM_SYNC, NULL, 0, -1, &rep, NULL, 0, NULL, false);
	}
	errno = e;
	return r;
}

/* fopen() of a debugfs file goes through open() above (glibc's fopen
 * calls its internal open, which LD_PRELOAD does not reach). */
FILE *fopen(const char *path, const char *mode)
{
	char buf[4096];
	REAL(fopen);
	if (mode && mode[0] == 'r' && !strchr(mode, '+') && debugfs_rel(path, buf, sizeof(buf))) {
		int fd = open(path, O_RDONLY | (strchr(mode, 'e') ? O_CLOEXEC : 0));
		if (fd < 0)
			return NULL;
		FILE *f = fdopen(fd, mode);
		if (!f)
			close(fd);
		return f;
	}
	return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode) __attribute__((alias("fopen")));

/* A dma-buf fd (a socket end to the kernel) asks the server for its size;
 * -ESPIPE when it is not one of the model's dma-bufs. */
static int model_dmabuf_size(int fd, uint64_t *size)
{
	if (!getenv("GS_MODEL_SOCKET"))
		return -ESPIPE;
	/* the name the server bound it to says it (protocol.h) */
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa);
	const size_t pre = strlen(GSM_DMABUF_NAME);
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0 && sa.sun_family == AF_UNIX &&
	    sl > offsetof(struct sockaddr_un, sun_path) + 1 + pre && sa.sun_path[0] == '\0' &&
	    memcmp(sa.sun_path + 1, GSM_DMABUF_NAME, pre) == 0) {
		char name[sizeof(sa.sun_path)];
		size_t n = sl - offsetof(struct sockaddr_un, sun_path) - 1;
		memcpy(name, sa.sun_path + 1, n);
		name[n] = '\0';
		const char *last = strrchr(name, '.');
		if (last && last[1]) {
			*size = strtoull(last + 1, NULL, 10);
			return 0;
		}
	}
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

/* Map the object's memfd: the server finds the object by the fake offset
 * on a DRM file (id != 0) or by the dma-buf fd. */
static void *map_object(void *addr, size_t len, int prot, int flags, uint32_t id, int dmabuf, off_t off)
{
	struct gsm_req h = { .op = GSM_MAP, .file_id = id };
	uint64_t o = (uint64_t)off;
	struct gsm_rep r;
	int memfd = -1;
	if (id)
		h.len = sizeof(o);
	int e = transact(&h, &o, id ? -1 : dmabuf, &r, NULL, 0, &memfd, true);
	if (!e)
		e = r.ret;
	if (!e && memfd < 0)
		e = -EIO;
	uint64_t within = id ? r.file_id : (uint64_t)off;
	if (!e && (within > r.size || len > r.size - within))
		e = -EINVAL;
	if (e) {
		if (memfd >= 0)
			close(memfd);
		errno = -e;
		return MAP_FAILED;
	}
	REAL(mmap);
	void *p = real_mmap(addr, len, prot, (flags & ~MAP_PRIVATE) | MAP_SHARED, memfd, (off_t)within);
	e = errno;
	REAL(close);
	real_close(memfd);
	errno = e;
	return p;
}

static void *map_common(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	uint32_t id;
	REAL(mmap);
	if (model_fd(fd, &id))
		return map_object(addr, len, prot, flags, id, -1, off);
	void *p = real_mmap(addr, len, prot, flags, fd, off);
	uint64_t size;
	if (p == MAP_FAILED && errno == ENODEV && model_dmabuf_size(fd, &size) == 0)
		return map_object(addr, len, prot, flags, 0, fd, off);
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
