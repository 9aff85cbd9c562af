/* i915 contexts, address spaces (PPGTT VMs) and VMAs, with M.lock held.
 *
 * With full PPGTT every file's default context and every created context
 * has its own VM. Execbuf binds each object of the exec list into the
 * context's VM: a VMA, which holds a reference on the VM and lives on the
 * object until the object is freed. Fix 004 (i915_gem_context_clean)
 * unbinds the VM's VMAs when the context goes; without it a shared object
 * that someone else keeps alive keeps the VMA, and the VMA the whole VM. */
#include <errno.h>
#include <stdlib.h>

#include <i915_drm.h>

#include "tests/model/model.h"

#define MODEL_CHIPSET_ID 0x1616 /* a Broadwell GT2: full PPGTT, the seed's era */

static struct m_vm *shared_vm; /* aliasing PPGTT: one VM for everyone */
static struct m_vm *ggtt;      /* the global GTT, for scan-out */

static struct m_vm *vm_new(void)
{
	struct m_vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		abort();
	vm->id = ++M.next_vm;
	vm->refcount = 1;
	vm->next_offset = 0x10000;
	vm->next = M.vms;
	M.vms = vm;
	return vm;
}

static void vm_put(struct m_vm *vm)
{
	if (--vm->refcount > 0)
		return;
	for (struct m_vm **p = &M.vms; *p; p = &(*p)->next)
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	free(vm);
}

static struct m_vm *vm_for_new_context(void)
{
	if (M.full_ppgtt)
		return vm_new();
	if (!shared_vm)
		shared_vm = vm_new();
	shared_vm->refcount++;
	return shared_vm;
}

static void vma_unbind(struct m_obj *o, struct m_vma **link)
{
	struct m_vma *v = *link;
	*link = v->next_in_obj;
	vm_put(v->vm);
	free(v);
	M.dirty = true;
}

/* __i915_vma_unbind_no_wait of every VMA in vm (the VM is idle here). */
static void vm_unbind_all(struct m_vm *vm)
{
	for (struct m_obj *o = M.objs; o; o = o->next)
		for (struct m_vma **p = &o->vmas; *p;) {
			if ((*p)->vm == vm)
				vma_unbind(o, p);
			else
				p = &(*p)->next_in_obj;
		}
}

static struct m_ctx *context_add(struct m_file *f, uint32_t id)
{
	struct m_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->id = id;
	c->vm = vm_for_new_context();
	c->next = f->contexts;
	f->contexts = c;
	M.dirty = true;
	return c;
}

static void context_free(struct m_ctx *c)
{
	if (M.fix[FIX_004_CONTEXT_VMA_CLEANUP] && M.full_ppgtt)
		vm_unbind_all(c->vm);
	vm_put(c->vm);
	free(c);
	M.dirty = true;
}

void mi915_file_open(struct m_file *f)
{
	context_add(f, 0);
	f->next_ctx = 1;
}

void mi915_file_release(struct m_file *f)
{
	while (f->contexts) {
		struct m_ctx *c = f->contexts;
		f->contexts = c->next;
		context_free(c);
	}
}

void mi915_obj_free(struct m_obj *o)
{
	while (o->vmas)
		vma_unbind(o, &o->vmas);
}

int mi915_getparam(int32_t param, int32_t *value)
{
	switch (param) {
	case I915_PARAM_HAS_ALIASING_PPGTT:
		*value = M.full_ppgtt ? 2 : 1;
		return 0;
	case I915_PARAM_CHIPSET_ID:
		*value = MODEL_CHIPSET_ID;
		return 0;
	}
	return -EINVAL;
}

int mi915_context_create(struct m_file *f, uint32_t *id)
{
	*id = f->next_ctx++;
	context_add(f, *id);
	return 0;
}

int mi915_context_destroy(struct m_file *f, uint32_t id)
{
	if (id == 0)
		return -ENOENT; /* the default context goes with the file */
	for (struct m_ctx **p = &f->contexts; *p; p = &(*p)->next)
		if ((*p)->id == id) {
			struct m_ctx *c = *p;
			*p = c->next;
			context_free(c);
			return 0;
		}
	return -ENOENT;
}

static struct m_vma *vma_lookup_or_bind(struct m_obj *o, struct m_vm *vm)
{
	for (struct m_vma *v = o->vmas; v; v = v->next_in_obj)
		if (v->vm == vm)
			return v;
	struct m_vma *v = calloc(1, sizeof(*v));
	if (!v)
		abort();
	v->obj = o;
	v->vm = vm;
	vm->refcount++;
	v->offset = vm->next_offset;
	vm->next_offset += o->size;
	v->next_in_obj = o->vmas;
	o->vmas = v;
	M.total_vmas_created++;
	M.dirty = true;
	return v;
}

void mi915_pin_scanout(struct m_obj *o)
{
	if (!ggtt)
		ggtt = vm_new();
	vma_lookup_or_bind(o, ggtt)->ggtt = true;
}

int mi915_execbuf(struct m_file *f, uint32_t ctx, const uint32_t *handles, uint64_t *offsets, uint32_t n)
{
	struct m_ctx *c = f->contexts;
	while (c && c->id != ctx)
		c = c->next;
	if (!c)
		return -ENOENT;
	if (n == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (!handle_find(f, handles[i]))
			return -ENOENT;
	for (uint32_t i = 0; i < n; i++)
		offsets[i] = vma_lookup_or_bind(handle_find(f, handles[i])->obj, c->vm)->offset;
	return 0;
}
