/* gs-model-server: the kernel model behind the LD_PRELOAD shim.
 *
 *   gs-model-server --socket PATH --debugfs DIR [--without-fix 000|001|002|004]...
 *                   [--aliasing-ppgtt] [--minor N] [--window-us N] [--debugfs-era 4.x|6.x]
 *                   [--no-pwrite] [--no-flink] [--no-prime] [--interrupt]
 *
 * Serves each shim connection in its own thread (so concurrent workers race
 * in the model as they would in the kernel), watches the server ends of
 * DRM files and dma-bufs for their last close (released at once when a
 * client's close() asks, GSM_SYNC), renders a debugfs file when a client
 * opens it (GSM_DEBUGFS), and rewrites the copies under DIR every 50 ms
 * when something changed. SIGUSR1 unbinds the
 * driver, SIGUSR2 binds it again (hotplug.c). Runs until killed. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <i915_drm.h>

#include "tests/model/model.h"
#include "tests/model/protocol.h"

static int epfd;
static const char *debugfs_dir;
static char debugfs_real[4096]; /* its absolute path, for the shim */

#define WATCH_FILE (1ull << 63)
#define MODEL_CRTC_ID 31
#define MODEL_FBCON_FB 1

static void watch_fd(int fd, uint32_t id, bool is_file)
{
	struct epoll_event ev = { .events = EPOLLRDHUP | EPOLLHUP,
				  .data.u64 = (is_file ? WATCH_FILE : 0) | id };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		perror("gs-model: epoll_ctl");
}

/* The last closes epoll reported (M.lock held). An event may come twice
 * (the release thread and a GSM_SYNC both saw it): the second finds
 * nothing to release. */
static void release_events(const struct epoll_event *ev, int n)
{
	for (int i = 0; i < n; i++) {
		uint32_t id = (uint32_t)ev[i].data.u64;
		if (ev[i].data.u64 & WATCH_FILE) {
			struct m_file *f = file_find(id);
			if (!f || f->hung_up)
				continue;
			f->hung_up = true;
			close(f->server_end);
			if (f->busy == 0)
				file_release(f);
		} else {
			struct m_dmabuf_fd *s = dmabuf_fd_find(id);
			if (s)
				dmabuf_fd_release(s);
		}
	}
}

/* Release everything whose last fd is closed by now (M.lock held): what
 * makes close() synchronous and debugfs reads live. A process that exited
 * closed its fds before its parent's wait returned, so this sees them. */
static void reap_hangups(void)
{
	struct epoll_event ev[64];
	int n;
	while ((n = epoll_wait(epfd, ev, 64, 0)) > 0) {
		release_events(ev, n);
		if (n < 64)
			break;
	}
}

/* The last close of a file or of a dma-buf's fds, when no client waits. */
static void *release_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct epoll_event ev[32];
		int n = epoll_wait(epfd, ev, 32, -1);
		pthread_mutex_lock(&M.lock);
		release_events(ev, n);
		pthread_mutex_unlock(&M.lock);
	}
	return NULL;
}

static void *debugfs_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&M.lock);
		if (M.dirty) {
			M.dirty = false;
			debugfs_write_all(debugfs_dir);
		}
		pthread_mutex_unlock(&M.lock);
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* SIGUSR1 and SIGUSR2, blocked in every thread, arrive here. */
static void *hotplug_thread(void *arg)
{
	sigset_t *set = arg;
	for (;;) {
		int sig;
		if (sigwait(set, &sig) != 0)
			continue;
		pthread_mutex_lock(&M.lock);
		if (sig == SIGUSR1)
			model_unplug(debugfs_dir);
		else
			model_replug(debugfs_dir);
		pthread_mutex_unlock(&M.lock);
		fprintf(stderr, "gs-model-server: device %s\n", sig == SIGUSR1 ? "unplugged" : "bound again");
	}
	return NULL;
}

/* ---- requests ---- */

struct request {
	struct gsm_req h;
	unsigned char in[GSM_MAX_PAYLOAD];
	int in_fd;
	struct gsm_rep r;
	unsigned char out[GSM_MAX_PAYLOAD];
	int out_fd;
};

#define ARG(type) ((type *)rq->in)
#define NEED(type) do { if (rq->h.len < sizeof(type)) return -EINVAL; } while (0)
#define REPLY(type) do { memcpy(rq->out, rq->in, sizeof(type)); rq->r.len = sizeof(type); } while (0)

static int open_file(struct request *rq, pid_t pid)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	struct m_file *f = file_new(pid, sv[0]);
	struct stat st;
	if (fstat(sv[1], &st) == 0)
		f->client_ino = st.st_ino;
	watch_fd(sv[0], f->id, true);
	rq->r.file_id = f->id;
	rq->out_fd = sv[1];
	return 0;
}

static int do_execbuf(struct m_file *f, struct request *rq)
{
	NEED(struct drm_i915_gem_execbuffer2);
	struct drm_i915_gem_execbuffer2 *eb = ARG(struct drm_i915_gem_execbuffer2);
	size_t n = eb->buffer_count;
	struct drm_i915_gem_exec_object2 *obj = (void *)(eb + 1);
	if (n == 0 || rq->h.len != sizeof(*eb) + n * sizeof(*obj))
		return -EINVAL;
	uint32_t handles[n];
	uint64_t offsets[n];
	for (size_t i = 0; i < n; i++) {
		if (obj[i].relocation_count)
			return -EINVAL; /* the model has no relocations */
		handles[i] = obj[i].handle;
		offsets[i] = obj[i].offset; /* presumed */
	}
	int r = mi915_execbuf(f, (uint32_t)(eb->rsvd1 & 0xffffffff), handles, offsets, (uint32_t)n);
	if (r)
		return r;
	for (size_t i = 0; i < n; i++)
		obj[i].offset = offsets[i];
	memcpy(rq->out, obj, n * sizeof(*obj));
	rq->r.len = (uint32_t)(n * sizeof(*obj));
	return 0;
}

/* The mmap offset of an object (drm_vma_node_offset_addr): its id, in
 * the upper half. */
static uint64_t fake_offset(const struct m_obj *o)
{
	return (uint64_t)o->id << 32;
}

/* GSM_MAP: the object a mapping of file f at offset (or of the dma-buf
 * fd) reaches; its memfd goes back to the shim. */
static int map_object(struct request *rq)
{
	struct m_obj *o = NULL;
	uint64_t off = 0;
	if (rq->in_fd >= 0) {
		uint64_t size;
		if (dmabuf_size_of_fd(rq->in_fd, &size) != 0)
			return -ENODEV;
		o = dmabuf_obj_of_fd(rq->in_fd);
	} else {
		struct m_file *f = file_find(rq->h.file_id);
		if (!f || f->hung_up || rq->h.len < sizeof(uint64_t))
			return -EBADF;
		memcpy(&off, rq->in, sizeof(off));
		/* drm_vma_node_is_allowed: the file must hold a handle to it */
		for (struct m_handle *h = f->handles; h && !o; h = h->next)
			if (h->obj->id == off >> 32)
				o = h->obj;
		if (!o)
			return -EACCES;
		off &= 0xffffffffu;
	}
	int fd = obj_memfd(o);
	if (fd < 0)
		return fd;
	rq->out_fd = dup(fd);
	rq->r.size = o->size;
	rq->r.file_id = (uint32_t)off;
	return rq->out_fd < 0 ? -errno : 0;
}

/* GSM_FDINFO: the DRM file whose user end has that inode, and its fdinfo. */
static int render_fdinfo(struct request *rq)
{
	struct gsm_fdinfo q;
	if (rq->h.len < sizeof(q))
		return -EINVAL;
	memcpy(&q, rq->in, sizeof(q));
	const struct m_file *f = M.files;
	while (f && (f->released || f->client_ino != (ino_t)q.ino))
		f = f->next;
	if (!f)
		return 1;
	if (!q.text)
		return 0;
	int fd = memfd_create("gs-model-fdinfo", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	FILE *out = fdopen(dup(fd), "w");
	if (!out) {
		close(fd);
		return -ENOMEM;
	}
	fdinfo_render(f, out);
	fclose(out);
	lseek(fd, 0, SEEK_SET);
	rq->out_fd = fd;
	return 0;
}

/* GSM_DEBUGFS: the file as it is now, in a memfd. */
static int render_debugfs(struct request *rq)
{
	if (rq->h.len == 0 || rq->h.len >= sizeof(rq->in))
		return -EINVAL;
	rq->in[rq->h.len] = '\0';
	reap_hangups();
	int fd = memfd_create("gs-model-debugfs", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	FILE *out = fdopen(dup(fd), "w");
	int r = out ? debugfs_render((const char *)rq->in, out) : -ENOMEM;
	if (out)
		fclose(out);
	if (r != 0) {
		close(fd);
		return r;
	}
	lseek(fd, 0, SEEK_SET);
	rq->out_fd = fd;
	return 0;
}

static int do_ioctl(struct m_file *f, struct request *rq)
{
	int r;
	switch (rq->h.ioctl) {
	case DRM_IOCTL_VERSION: {
		struct gsm_version *v = (void *)rq->out;
		memset(v, 0, sizeof(*v));
		v->major = 1;
		v->minor = 6;
		snprintf(v->name, sizeof(v->name), "i915");
		snprintf(v->date, sizeof(v->date), "20150522");
		snprintf(v->desc, sizeof(v->desc), "Intel Graphics (gemsoak kernel model)");
		rq->r.len = sizeof(*v);
		return 0;
	}
	case DRM_IOCTL_GET_CAP: {
		NEED(struct drm_get_cap);
		struct drm_get_cap *c = ARG(struct drm_get_cap);
		if (c->capability == DRM_CAP_PRIME)
			c->value = M.no_prime ? 0 : DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT;
		else if (c->capability == DRM_CAP_DUMB_BUFFER)
			c->value = 1;
		else
			return -EINVAL;
		REPLY(struct drm_get_cap);
		return 0;
	}
	case DRM_IOCTL_GEM_CLOSE:
		NEED(struct drm_gem_close);
		return gem_close_ioctl(f, ARG(struct drm_gem_close)->handle);
	case DRM_IOCTL_GEM_FLINK: {
		NEED(struct drm_gem_flink);
		if (M.no_flink)
			return -EOPNOTSUPP;
		struct drm_gem_flink *a = ARG(struct drm_gem_flink);
		if ((r = flink_ioctl(f, a->handle, &a->name)) == 0)
			REPLY(struct drm_gem_flink);
		return r;
	}
	case DRM_IOCTL_GEM_OPEN: {
		NEED(struct drm_gem_open);
		if (M.no_flink)
			return -EOPNOTSUPP;
		struct drm_gem_open *a = ARG(struct drm_gem_open);
		uint64_t size;
		if ((r = gem_open_ioctl(f, a->name, &a->handle, &size)) == 0) {
			a->size = size;
			REPLY(struct drm_gem_open);
		}
		return r;
	}
	case DRM_IOCTL_PRIME_HANDLE_TO_FD: {
		NEED(struct drm_prime_handle);
		if (M.no_prime)
			return -EOPNOTSUPP;
		struct drm_prime_handle *a = ARG(struct drm_prime_handle);
		if ((r = prime_handle_to_fd_ioctl(f, a->handle, &rq->out_fd)) == 0)
			REPLY(struct drm_prime_handle);
		return r;
	}
	case DRM_IOCTL_PRIME_FD_TO_HANDLE: {
		NEED(struct drm_prime_handle);
		if (M.no_prime)
			return -EOPNOTSUPP;
		struct drm_prime_handle *a = ARG(struct drm_prime_handle);
		if (rq->in_fd < 0)
			return -EBADF;
		if ((r = prime_fd_to_handle_ioctl(f, rq->in_fd, &a->handle)) == 0)
			REPLY(struct drm_prime_handle);
		return r;
	}
	case DRM_IOCTL_MODE_CREATE_DUMB: {
		NEED(struct drm_mode_create_dumb);
		struct drm_mode_create_dumb *a = ARG(struct drm_mode_create_dumb);
		a->pitch = a->width * ((a->bpp + 7) / 8);
		a->size = (uint64_t)a->pitch * a->height;
		if ((r = gem_create_ioctl(f, a->size, &a->handle)) == 0)
			REPLY(struct drm_mode_create_dumb);
		return r;
	}
	case DRM_IOCTL_MODE_MAP_DUMB: {
		NEED(struct drm_mode_map_dumb);
		struct drm_mode_map_dumb *a = ARG(struct drm_mode_map_dumb);
		struct m_handle *h = handle_find(f, a->handle);
		if (!h)
			return -ENOENT;
		a->offset = fake_offset(h->obj);
		REPLY(struct drm_mode_map_dumb);
		return 0;
	}
	case DRM_IOCTL_MODE_GETRESOURCES: {
		/* One CRTC, which scans out the console (the shim copies the id) */
		NEED(struct drm_mode_card_res);
		struct drm_mode_card_res *a = ARG(struct drm_mode_card_res);
		memset(a, 0, sizeof(*a));
		a->count_crtcs = 1;
		a->max_width = a->max_height = 8192;
		uint32_t crtc = MODEL_CRTC_ID;
		memcpy(rq->out, a, sizeof(*a));
		memcpy(rq->out + sizeof(*a), &crtc, sizeof(crtc));
		rq->r.len = sizeof(*a) + sizeof(crtc);
		return 0;
	}
	case DRM_IOCTL_MODE_GETCRTC: {
		NEED(struct drm_mode_crtc);
		struct drm_mode_crtc *a = ARG(struct drm_mode_crtc);
		if (a->crtc_id != MODEL_CRTC_ID)
			return -ENOENT;
		a->fb_id = M.fbcon ? MODEL_FBCON_FB : 0;
		a->x = a->y = 0;
		REPLY(struct drm_mode_crtc);
		return 0;
	}
	case DRM_IOCTL_MODE_GETFB: {
		NEED(struct drm_mode_fb_cmd);
		struct drm_mode_fb_cmd *a = ARG(struct drm_mode_fb_cmd);
		if (a->fb_id != MODEL_FBCON_FB || !M.fbcon)
			return -ENOENT;
		a->width = 1024;
		a->height = (uint32_t)(M.fbcon->size / 4096);
		a->pitch = 4096;
		a->bpp = 32;
		a->depth = 24;
		a->handle = handle_create(f, M.fbcon);
		REPLY(struct drm_mode_fb_cmd);
		return 0;
	}
	case DRM_IOCTL_I915_GEM_CREATE: {
		NEED(struct drm_i915_gem_create);
		struct drm_i915_gem_create *a = ARG(struct drm_i915_gem_create);
		if ((r = gem_create_ioctl(f, a->size, &a->handle)) == 0)
			REPLY(struct drm_i915_gem_create);
		return r;
	}
	case DRM_IOCTL_I915_GETPARAM: {
		NEED(struct gsm_getparam);
		struct gsm_getparam *a = ARG(struct gsm_getparam);
		if ((r = mi915_getparam(a->param, &a->value)) == 0)
			REPLY(struct gsm_getparam);
		return r;
	}
	case DRM_IOCTL_I915_GEM_CONTEXT_CREATE:
	case DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT: {
		NEED(struct drm_i915_gem_context_create);
		if (rq->h.ioctl == DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT &&
		    ARG(struct drm_i915_gem_context_create_ext)->extensions)
			return -EINVAL; /* no extensions in the model */
		if ((r = mi915_context_create(f, &ARG(struct drm_i915_gem_context_create)->ctx_id)) == 0) {
			memcpy(rq->out, rq->in, rq->h.len);
			rq->r.len = rq->h.len;
		}
		return r;
	}
	case DRM_IOCTL_I915_GEM_CONTEXT_DESTROY:
		NEED(struct drm_i915_gem_context_destroy);
		return mi915_context_destroy(f, ARG(struct drm_i915_gem_context_destroy)->ctx_id);
	case DRM_IOCTL_I915_GEM_EXECBUFFER2:
		return do_execbuf(f, rq);
	case DRM_IOCTL_I915_GEM_PWRITE: {
		NEED(struct drm_i915_gem_pwrite);
		struct drm_i915_gem_pwrite *a = ARG(struct drm_i915_gem_pwrite);
		if (M.no_pwrite)
			return -EOPNOTSUPP;
		struct m_handle *h = handle_find(f, a->handle);
		if (!h)
			return -ENOENT;
		if (a->offset > h->obj->size || a->size > h->obj->size - a->offset)
			return -EINVAL;
		if (rq->h.len == sizeof(*a) + a->size && a->size) { /* the data came along */
			int fd = obj_memfd(h->obj);
			if (fd < 0)
				return fd;
			if (pwrite(fd, a + 1, a->size, (off_t)a->offset) != (ssize_t)a->size)
				return -EIO;
		}
		return 0;
	}
	case DRM_IOCTL_I915_GEM_MMAP_OFFSET: {
		NEED(struct drm_i915_gem_mmap_offset);
		struct drm_i915_gem_mmap_offset *a = ARG(struct drm_i915_gem_mmap_offset);
		struct m_handle *h = handle_find(f, a->handle);
		if (!h)
			return -ENOENT;
		a->offset = fake_offset(h->obj);
		REPLY(struct drm_i915_gem_mmap_offset);
		return 0;
	}
	case DRM_IOCTL_I915_GEM_MMAP: {
		/* the shim maps the memfd that comes back at addr_ptr */
		NEED(struct drm_i915_gem_mmap);
		struct drm_i915_gem_mmap *a = ARG(struct drm_i915_gem_mmap);
		struct m_handle *h = handle_find(f, a->handle);
		if (!h)
			return -ENOENT;
		if (a->flags & ~(uint64_t)I915_MMAP_WC)
			return -EINVAL;
		if (a->offset > h->obj->size || a->size > h->obj->size - a->offset || a->size == 0)
			return -EINVAL;
		int fd = obj_memfd(h->obj);
		if (fd < 0)
			return fd;
		if ((rq->out_fd = dup(fd)) < 0)
			return -errno;
		REPLY(struct drm_i915_gem_mmap);
		return 0;
	}
	case DRM_IOCTL_I915_GEM_THROTTLE:
		return 0; /* nothing in flight to wait for */
	case DRM_IOCTL_I915_GEM_WAIT:
		NEED(struct drm_i915_gem_wait);
		return handle_find(f, ARG(struct drm_i915_gem_wait)->bo_handle) ? 0 : -ENOENT;
	case DRM_IOCTL_I915_GEM_SET_DOMAIN:
		NEED(struct drm_i915_gem_set_domain);
		return handle_find(f, ARG(struct drm_i915_gem_set_domain)->handle) ? 0 : -ENOENT;
	}
	return -ENOTTY;
}

static void serve(struct request *rq, pid_t peer)
{
	memset(&rq->r, 0, sizeof(rq->r));
	rq->out_fd = -1;
	pthread_mutex_lock(&M.lock);
	if (rq->h.op == GSM_OPEN) {
		reap_hangups(); /* what exited before this open is gone for it */
		rq->r.ret = M.unplugged ? -ENOENT : open_file(rq, peer); /* the node is gone */
	} else if (rq->h.op == GSM_DMABUF_SIZE) {
		rq->r.ret = rq->in_fd >= 0 ? dmabuf_size_of_fd(rq->in_fd, &rq->r.size) : -EBADF;
	} else if (rq->h.op == GSM_SYNC) {
		reap_hangups();
		rq->r.ret = 0;
	} else if (rq->h.op == GSM_DEBUGFS) {
		rq->r.ret = render_debugfs(rq);
	} else if (rq->h.op == GSM_INFO) {
		size_t n = strlen(debugfs_real) + 1;
		memcpy(rq->out, debugfs_real, n);
		rq->r.len = (uint32_t)n;
		rq->r.ret = 0;
	} else if (rq->h.op == GSM_MAP) {
		rq->r.ret = map_object(rq);
	} else if (rq->h.op == GSM_FDINFO) {
		rq->r.ret = render_fdinfo(rq);
	} else if (rq->h.op == GSM_IOCTL) {
		struct m_file *f = file_find(rq->h.file_id);
		if (!f || f->hung_up) {
			rq->r.ret = -EBADF;
		} else if (f->unplugged) {
			rq->r.ret = -ENODEV; /* drm_ioctl: drm_dev_is_unplugged() */
		} else if (M.interrupt && !f->interrupted) {
			/* A signal during an interruptible wait, before the ioctl
			 * took effect: the caller must call again (drmIoctl does). */
			f->interrupted = true;
			rq->r.ret = M.interrupts++ % 2 ? -EAGAIN : -EINTR;
			if (M.interrupts == 1) /* tells a test the switch is at work */
				fprintf(stderr, "gs-model-server: first ioctl interrupted (%#llx)\n",
					(unsigned long long)rq->h.ioctl);
		} else {
			f->interrupted = false;
			f->busy++;
			rq->r.ret = do_ioctl(f, rq);
			if (--f->busy == 0 && f->hung_up)
				file_release(f);
		}
	} else {
		rq->r.ret = -EINVAL;
	}
	pthread_mutex_unlock(&M.lock);
}

static void *conn_thread(void *arg)
{
	int conn = (int)(intptr_t)arg;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	pid_t peer = getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 ? cred.pid : 0;
	struct request *rq = malloc(sizeof(*rq));
	if (!rq)
		abort();
	for (;;) {
		struct iovec iov[2] = { { &rq->h, sizeof(rq->h) }, { rq->in, sizeof(rq->in) } };
		union gsm_cmsg cm;
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = cm.buf,
				     .msg_controllen = sizeof(cm.buf) };
		ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(rq->h))
			break;
		rq->in_fd = gsm_received_fd(&mh);
		if (rq->h.len != (size_t)n - sizeof(rq->h)) {
			memset(&rq->r, 0, sizeof(rq->r));
			rq->r.ret = -EINVAL;
			rq->out_fd = -1;
		} else {
			serve(rq, peer);
		}
		if (rq->in_fd >= 0)
			close(rq->in_fd);
		struct iovec oiov[2] = { { &rq->r, sizeof(rq->r) }, { rq->out, rq->r.len } };
		struct msghdr om = { .msg_iov = oiov, .msg_iovlen = 2 };
		if (rq->out_fd >= 0) {
			gsm_attach_fd(&om, &cm, rq->out_fd);
			rq->r.has_fd = 1;
		}
		ssize_t s = sendmsg(conn, &om, MSG_NOSIGNAL);
		if (rq->out_fd >= 0)
			close(rq->out_fd); /* the client's copy is the reference now */
		if (s < 0)
			break;
	}
	free(rq);
	close(conn);
	return NULL;
}

static const char *const fix_names[FIX_COUNT] = { "000", "001", "002", "004" };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gs-model-server --socket PATH --debugfs DIR [options]\n"
		"  --socket PATH        where the shim connects (GS_MODEL_SOCKET)\n"
		"  --debugfs DIR        where the debugfs files are written\n"
		"  --without-fix SEED   leave out a seed's fix: 000, 001, 002 or 004 (repeatable)\n"
		"  --aliasing-ppgtt     one shared address space instead of full PPGTT\n"
		"  --minor N            the DRM minor (debugfs dri/N), default 0\n"
		"  --window-us N        how long the unfixed code paths leave the lock dropped\n"
		"                       (default 200; 0 = just yield)\n"
		"  --debugfs-era 4.x|6.x  layouts of i915_gem_objects and i915_gem_gtt (default 4.x)\n"
		"  --fdinfo-memory      /proc/PID/fdinfo of DRM files with 6.5+'s memory keys\n"
		"                       (drm-total-, drm-shared-, drm-resident-memory); without\n"
		"                       it 6.1's i915 keys only (driver, pdev, client id, engines)\n"
		"  --no-pwrite          refuse GEM_PWRITE (EOPNOTSUPP), as discrete GPUs do\n"
		"  --no-flink           refuse GEM_FLINK and GEM_OPEN (EOPNOTSUPP): no GEM names\n"
		"  --no-prime           no PRIME: DRM_CAP_PRIME 0, both PRIME ioctls EOPNOTSUPP\n"
		"  --interrupt          the first attempt of every ioctl on a file fails with\n"
		"                       EINTR or EAGAIN (in turn), the next is served\n"
		"signals:\n"
		"  SIGUSR1              unbind the driver: ioctls on open files fail with ENODEV,\n"
		"                       opens of the device with ENOENT, debugfs dri/N is removed\n"
		"  SIGUSR2              bind it again: a fresh device (opens work, dri/N is back;\n"
		"                       files opened before the unbind stay dead)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "debugfs", required_argument, NULL, 'd' },
		{ "without-fix", required_argument, NULL, 'w' },
		{ "aliasing-ppgtt", no_argument, NULL, 'a' },
		{ "minor", required_argument, NULL, 'm' },
		{ "window-us", required_argument, NULL, 'W' },
		{ "debugfs-era", required_argument, NULL, 'e' },
		{ "no-pwrite", no_argument, NULL, 'P' },
		{ "fdinfo-memory", no_argument, NULL, 'M' },
		{ "no-flink", no_argument, NULL, 'F' },
		{ "no-prime", no_argument, NULL, 'R' },
		{ "interrupt", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL;
	model_init();
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'd': debugfs_dir = optarg; break;
		case 'a': M.full_ppgtt = false; break;
		case 'm': M.minor = atoi(optarg); break;
		case 'W': M.window_us = atol(optarg); break;
		case 'P': M.no_pwrite = true; break;
		case 'M': M.fdinfo_memory = true; break;
		case 'F': M.no_flink = true; break;
		case 'R': M.no_prime = true; break;
		case 'I': M.interrupt = true; break;
		case 'e':
			if (strcmp(optarg, "4.x") && strcmp(optarg, "6.x")) {
				fprintf(stderr, "gs-model-server: --debugfs-era: '%s' is not 4.x or 6.x\n", optarg);
				return 64;
			}
			M.modern_debugfs = strcmp(optarg, "6.x") == 0;
			break;
		case 'w': {
			int i = 0;
			while (i < FIX_COUNT && strcmp(optarg, fix_names[i]) != 0)
				i++;
			if (i == FIX_COUNT) {
				fprintf(stderr, "gs-model-server: --without-fix: unknown seed '%s' (000, 001, 002, 004)\n", optarg);
				return 64;
			}
			M.fix[i] = false;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (!sock || !debugfs_dir) {
		usage(stderr);
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	M.watch_fd = watch_fd;
	/* Each DRM file, dma-buf fd set and mapped object holds an fd here. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);

	/* The console's framebuffer: 8 MiB, kept by the kernel, pinned for
	 * scan-out. X and other clients reach it through MODE_GETFB. */
	M.fbcon = obj_new(8u << 20);
	M.fbcon->fbcon = true;
	mi915_pin_scanout(M.fbcon);
	debugfs_add_device(debugfs_dir);
	if (!realpath(debugfs_dir, debugfs_real)) {
		fprintf(stderr, "gs-model-server: %s: %s\n", debugfs_dir, strerror(errno));
		return 71;
	}

	int ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* Bound under a temporary name and renamed once listening, so that
	 * the socket's appearance tells a waiting script the server is ready. */
	char tmp[sizeof(sa.sun_path) + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", sock);
	if (strlen(tmp) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "gs-model-server: %s: socket path too long\n", sock);
		return 64;
	}
	strcpy(sa.sun_path, tmp);
	unlink(tmp);
	/* Open to all: workers may run as an unprivileged account (user =). */
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 64) < 0 ||
	    chmod(tmp, 0666) < 0 || rename(tmp, sock) < 0) {
		fprintf(stderr, "gs-model-server: %s: %s\n", sock, strerror(errno));
		return 71;
	}
	/* Blocked before any thread starts, so only hotplug_thread takes them. */
	static sigset_t hotplug_sigs;
	sigemptyset(&hotplug_sigs);
	sigaddset(&hotplug_sigs, SIGUSR1);
	sigaddset(&hotplug_sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &hotplug_sigs, NULL);
	pthread_t t;
	pthread_create(&t, NULL, hotplug_thread, &hotplug_sigs);
	pthread_create(&t, NULL, release_thread, NULL);
	pthread_create(&t, NULL, debugfs_thread, NULL);
	fprintf(stderr, "gs-model-server: listening on %s, debugfs %s, fixes:", sock, debugfs_dir);
	for (int i = 0; i < FIX_COUNT; i++)
		fprintf(stderr, " %s=%s", fix_names[i], M.fix[i] ? "on" : "off");
	fprintf(stderr, ", %s PPGTT\n", M.full_ppgtt ? "full" : "aliasing");
	for (;;) {
		int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			perror("gs-model-server: accept");
			return 71;
		}
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, conn_thread, (void *)(intptr_t)conn) != 0)
			close(conn);
		pthread_attr_destroy(&at);
	}
}
