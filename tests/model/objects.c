/* GEM objects, per-file handle tables and DRM files (drm_gem.c, drm_file.c).
 * Everything here runs with M.lock held. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/model/model.h"

static void *xcalloc(size_t n)
{
	void *p = calloc(1, n);
	if (!p) {
		perror("gs-model");
		abort();
	}
	return p;
}

struct m_obj *obj_new(uint64_t size)
{
	struct m_obj *o = xcalloc(sizeof(*o));
	o->id = ++M.next_obj;
	o->size = size;
	o->refcount = 1;
	o->memfd = -1;
	o->next = M.objs;
	M.objs = o;
	M.dirty = true;
	return o;
}

void obj_get(struct m_obj *o)
{
	o->refcount++;
}

/* The last reference: the object's VMAs go with it (i915_gem_free_object
 * unbinds them all), which is why only objects kept alive by someone else
 * can leak VMAs. */
void obj_put(struct m_obj *o)
{
	if (--o->refcount > 0)
		return;
	mi915_obj_free(o);
	for (struct m_obj **p = &M.objs; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			break;
		}
	if (o->memfd >= 0)
		close(o->memfd);
	free(o);
	M.dirty = true;
}

struct m_file *file_new(pid_t pid, int server_end)
{
	struct m_file *f = xcalloc(sizeof(*f));
	f->id = ++M.next_file;
	f->pid = pid;
	f->server_end = server_end;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *c = fopen(path, "r");
	if (!c || !fgets(f->comm, sizeof(f->comm), c))
		snprintf(f->comm, sizeof(f->comm), "?");
	if (c)
		fclose(c);
	f->comm[strcspn(f->comm, "\n")] = '\0';
	f->next = M.files;
	M.files = f;
	mi915_file_open(f);
	M.dirty = true;
	return f;
}

struct m_file *file_find(uint32_t id)
{
	for (struct m_file *f = M.files; f; f = f->next)
		if (f->id == id && !f->released)
			return f;
	return NULL;
}

struct m_handle *handle_find(struct m_file *f, uint32_t handle)
{
	for (struct m_handle *h = f->handles; h; h = h->next)
		if (h->handle == handle)
			return h;
	return NULL;
}

/* drm_gem_handle_create_tail: the handle holds an object reference. Like
 * idr_alloc(.., 1, 0), the lowest free number: igt's race tests count on
 * getting handle 1 again. */
uint32_t handle_create(struct m_file *f, struct m_obj *o)
{
	struct m_handle *h = xcalloc(sizeof(*h));
	/* From the hint, not from 1: a file holding 10,000 handles (the
	 * benchmarks' load) would make each create quadratic. */
	h->handle = f->free_hint ? f->free_hint : 1;
	while (handle_find(f, h->handle))
		h->handle++;
	f->free_hint = h->handle + 1;
	h->obj = o;
	obj_get(o);
	o->handle_count++;
	h->next = f->handles;
	f->handles = h;
	M.dirty = true;
	return h->handle;
}

/* drm_gem_object_release_handle + drm_gem_object_handle_put_unlocked. */
int handle_delete(struct m_file *f, uint32_t handle)
{
	struct m_handle **p = &f->handles;
	while (*p && (*p)->handle != handle)
		p = &(*p)->next;
	if (!*p)
		return -EINVAL;
	struct m_handle *h = *p;
	*p = h->next;
	if (handle < f->free_hint)
		f->free_hint = handle;
	struct m_obj *o = h->obj;
	free(h);
	prime_handle_gone(f, o, handle);
	if (--o->handle_count == 0) {
		flink_name_drop(o);
		prime_last_handle_gone(o);
	}
	obj_put(o);
	M.dirty = true;
	return 0;
}

int gem_create_ioctl(struct m_file *f, uint64_t size, uint32_t *handle)
{
	if (size == 0)
		return -EINVAL;
	size = (size + 4095) & ~(uint64_t)4095;
	struct m_obj *o = obj_new(size);
	*handle = handle_create(f, o);
	obj_put(o); /* the handle's reference is the only one */
	return 0;
}

/* GEM_CLOSE: i915_gem_close_object closes the VMAs the file's contexts
 * looked up through this handle, then the handle goes. */
int gem_close_ioctl(struct m_file *f, uint32_t handle)
{
	struct m_handle *h = handle_find(f, handle);
	if (!h)
		return -EINVAL;
	mi915_handle_close(f, handle, h->obj);
	return handle_delete(f, handle);
}

/* drm_release → drm_file_free: handles, the PRIME cache, then the driver's
 * postclose (i915: contexts). Called only when no ioctl is in flight on f
 * (model-server.c defers it until then), so f can go. */
void file_release(struct m_file *f)
{
	if (f->released)
		return;
	f->released = true;
	/* Before the handles: the lookups go without closing VMAs, so that
	 * what the contexts leave bound stays fix 004's business (the kernels
	 * of seed 004 had no close hook; see README.md). */
	mi915_file_drop_luts(f);
	while (f->handles)
		handle_delete(f, f->handles->handle);
	prime_file_release(f);
	mi915_file_release(f);
	for (struct m_file **p = &M.files; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	free(f);
	M.dirty = true;
}
