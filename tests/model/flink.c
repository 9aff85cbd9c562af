/* Flink names (drm_gem_flink_ioctl, drm_gem_open_ioctl) with M.lock held.
 * The name holds an object reference and goes when the last handle does,
 * which breaks the name → object → name loop.
 *
 * Without fix 002 the model runs the 3.10 code: gem_open drops the lock
 * between the name lookup and the handle creation, so a racing close of
 * the last handle reaps the name and the opener ends up with a handle to
 * an unnamed object (re-flinking gives a new name); flink does not recheck
 * the handle count, so a flink racing that close leaves a name on an
 * object without handles, which keeps it forever. */
#include <errno.h>
#include <stddef.h>

#include "tests/model/model.h"

static struct m_obj *obj_by_name(uint32_t name)
{
	for (struct m_obj *o = M.objs; o; o = o->next)
		if (o->name == name)
			return o;
	return NULL;
}

void flink_name_drop(struct m_obj *o)
{
	if (!o->name)
		return;
	ida_free(&M.names, o->name);
	o->name = 0;
	M.dirty = true;
	obj_put(o);
}

int flink_ioctl(struct m_file *f, uint32_t handle, uint32_t *name)
{
	struct m_handle *h = handle_find(f, handle);
	if (!h)
		return -ENOENT;
	struct m_obj *o = h->obj;
	obj_get(o);
	if (!M.fix[FIX_002_GEM_OPEN_ATOMIC])
		model_window();
	int r = 0;
	if (M.fix[FIX_002_GEM_OPEN_ATOMIC] && o->handle_count == 0) {
		r = -ENOENT;
	} else if (!o->name) {
		o->name = ida_alloc(&M.names); /* idr: the lowest free name */
		obj_get(o);
		M.dirty = true;
	}
	if (!r)
		*name = o->name;
	obj_put(o);
	return r;
}

int gem_open_ioctl(struct m_file *f, uint32_t name, uint32_t *handle, uint64_t *size)
{
	if (name == 0)
		return -ENOENT;
	struct m_obj *o = obj_by_name(name);
	if (!o)
		return -ENOENT;
	obj_get(o);
	if (!M.fix[FIX_002_GEM_OPEN_ATOMIC])
		model_window();
	*handle = handle_create(f, o);
	*size = o->size;
	obj_put(o);
	return 0;
}
