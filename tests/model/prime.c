/* dma-bufs and the per-file PRIME import/export cache (drm_prime.c), with
 * M.lock held.
 *
 * A dma-buf holds a reference on its object. References on the dma-buf:
 * each set of user fds (one socketpair per export, see protocol.h), the
 * obj->dma_buf link (dropped with the last handle) and each per-file cache
 * entry (dropped with the handle; without fix 000 only when the file
 * closes, the leak seed 000 describes). Without fix 001 the link and the
 * cache entry are set up after the lock was dropped and without checking
 * that a handle still exists, so an export racing GEM_CLOSE of the last
 * handle leaves obj ↔ dma-buf holding each other forever. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/model/model.h"
#include "tests/model/protocol.h"

static struct m_dmabuf *dmabuf_new(struct m_obj *o)
{
	struct m_dmabuf *d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->id = ++M.next_dmabuf;
	d->obj = o;
	obj_get(o);
	d->next = M.dmabufs;
	M.dmabufs = d;
	M.dirty = true;
	return d;
}

static void dmabuf_get(struct m_dmabuf *d)
{
	d->refcount++;
}

void dmabuf_put(struct m_dmabuf *d)
{
	if (--d->refcount > 0)
		return;
	struct m_obj *o = d->obj;
	if (o->dma_buf == d)
		o->dma_buf = NULL;
	for (struct m_dmabuf **p = &M.dmabufs; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	free(d);
	obj_put(o);
	M.dirty = true;
}

void dmabuf_fd_release(struct m_dmabuf_fd *set)
{
	for (struct m_dmabuf_fd **p = &M.dmabuf_fds; *p; p = &(*p)->next)
		if (*p == set) {
			*p = set->next;
			break;
		}
	close(set->server_end);
	dmabuf_put(set->dmabuf);
	free(set);
}

struct m_dmabuf_fd *dmabuf_fd_find(uint32_t id)
{
	for (struct m_dmabuf_fd *s = M.dmabuf_fds; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/* A new user fd for d; its hang-up drops the reference taken here. */
static int dmabuf_new_fd(struct m_dmabuf *d, int *client_fd)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, GSM_DMABUF_NAME "%d.%u.%llu",
			 (int)getpid(), M.next_dmabuf_fd + 1, (unsigned long long)d->obj->size);
	if (bind(sv[1], (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0)
		perror("gs-model: bind a dma-buf's name"); /* the shim asks the server instead */
	struct stat st;
	fstat(sv[1], &st);
	/* An inode number in use again means its old owner is gone, even if
	 * the release watcher has not seen the hang-up yet. */
	for (struct m_dmabuf_fd *s = M.dmabuf_fds; s; s = s->next)
		if (s->client_ino == st.st_ino) {
			dmabuf_fd_release(s);
			break;
		}
	struct m_dmabuf_fd *set = calloc(1, sizeof(*set));
	if (!set)
		abort();
	set->id = ++M.next_dmabuf_fd;
	set->dmabuf = d;
	set->server_end = sv[0];
	set->client_ino = st.st_ino;
	set->next = M.dmabuf_fds;
	M.dmabuf_fds = set;
	dmabuf_get(d);
	M.watch_fd(sv[0], set->id, false);
	*client_fd = sv[1];
	return 0;
}

static struct m_prime *cache_find(struct m_file *f, struct m_dmabuf *d)
{
	for (struct m_prime *e = f->prime; e; e = e->next)
		if (e->dmabuf == d)
			return e;
	return NULL;
}

static void cache_add(struct m_file *f, struct m_dmabuf *d, uint32_t handle)
{
	struct m_prime *e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->dmabuf = d;
	e->handle = handle;
	dmabuf_get(d);
	e->next = f->prime;
	f->prime = e;
}

static void cache_remove(struct m_file *f, struct m_dmabuf *d)
{
	for (struct m_prime **p = &f->prime; *p; p = &(*p)->next)
		if ((*p)->dmabuf == d) {
			struct m_prime *e = *p;
			*p = e->next;
			free(e);
			dmabuf_put(d);
			return;
		}
}

/* The link to the dma-buf, taken only while a handle exists (fix 001). */
static void link_dmabuf(struct m_obj *o, struct m_dmabuf *d)
{
	if (o->dma_buf)
		return;
	if (M.fix[FIX_001_DMABUF_LINK_LOCKED] && o->handle_count == 0)
		return;
	o->dma_buf = d;
	dmabuf_get(d);
}

int prime_handle_to_fd_ioctl(struct m_file *f, uint32_t handle, int *client_fd)
{
	struct m_handle *h = handle_find(f, handle);
	if (!h)
		return -ENOENT;
	struct m_obj *o = h->obj;
	bool locked = M.fix[FIX_001_DMABUF_LINK_LOCKED];
	obj_get(o);
	struct m_dmabuf *d = o->dma_buf;
	if (d)
		dmabuf_get(d); /* ours for the rest of the ioctl */
	if (!locked)
		model_window();
	if (!d) {
		d = dmabuf_new(o);
		dmabuf_get(d);
	}
	link_dmabuf(o, d);
	if (!locked)
		model_window();
	if (!cache_find(f, d))
		cache_add(f, d, handle);
	int r = dmabuf_new_fd(d, client_fd);
	dmabuf_put(d);
	obj_put(o);
	return r;
}

/* The dma-buf whose user fd (passed to the server) is fd. */
static struct m_dmabuf *dmabuf_of_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return NULL;
	for (struct m_dmabuf_fd *set = M.dmabuf_fds; set; set = set->next)
		if (set->client_ino == st.st_ino)
			return set->dmabuf;
	return NULL;
}

struct m_obj *dmabuf_obj_of_fd(int fd)
{
	struct m_dmabuf *d = dmabuf_of_fd(fd);
	return d ? d->obj : NULL;
}

int dmabuf_size_of_fd(int fd, uint64_t *size)
{
	struct m_dmabuf *d = dmabuf_of_fd(fd);
	if (!d)
		return -ESPIPE;
	*size = d->obj->size;
	return 0;
}

int prime_fd_to_handle_ioctl(struct m_file *f, int fd, uint32_t *handle)
{
	struct m_dmabuf *d = dmabuf_of_fd(fd);
	if (!d)
		return -EINVAL; /* not one of ours: the model has one device */
	struct m_prime *e = cache_find(f, d);
	if (e) {
		*handle = e->handle;
		return 0;
	}
	bool locked = M.fix[FIX_001_DMABUF_LINK_LOCKED];
	dmabuf_get(d);
	*handle = handle_create(f, d->obj);
	link_dmabuf(d->obj, d);
	if (!locked)
		model_window();
	if (!cache_find(f, d))
		cache_add(f, d, *handle);
	dmabuf_put(d);
	return 0;
}

/* drm_gem_remove_prime_handles: the handle's cache entries go with it.
 * Before fix 000 nothing removed them until the file closed. */
void prime_handle_gone(struct m_file *f, struct m_obj *o, uint32_t handle)
{
	(void)handle;
	if (M.fix[FIX_000_HANDLE_HOLDS_DMABUF] && o->dma_buf)
		cache_remove(f, o->dma_buf);
}

/* drm_gem_object_handle_free: like the flink name, the link goes with the
 * last handle. */
void prime_last_handle_gone(struct m_obj *o)
{
	struct m_dmabuf *d = o->dma_buf;
	if (d) {
		o->dma_buf = NULL;
		dmabuf_put(d);
	}
}

void prime_file_release(struct m_file *f)
{
	while (f->prime) {
		struct m_prime *e = f->prime;
		f->prime = e->next;
		struct m_dmabuf *d = e->dmabuf;
		free(e);
		dmabuf_put(d);
	}
}

int dmabuf_count(uint64_t *bytes)
{
	int n = 0;
	*bytes = 0;
	for (struct m_dmabuf *d = M.dmabufs; d; d = d->next) {
		n++;
		*bytes += d->obj->size;
	}
	return n;
}
