/* i915 contexts, address spaces (PPGTT VMs) and VMAs, with M.lock held.
 *
 * With full PPGTT every file's default context and every created context
 * has its own VM. Execbuf binds each object of the exec list into the
 * context's VM: a VMA, which holds a reference on the VM, takes the
 * presumed offset when it is free and otherwise the best-fitting hole
 * (drm_mm, DRM_MM_INSERT_BEST: offsets are reused), and is looked up
 * through the context's (handle → object) table. GEM_CLOSE closes the VMAs
 * the file's contexts looked up through the handle (i915_gem_close_object).
 * Fix 004 (i915_gem_context_clean) unbinds the VM's VMAs when the context
 * goes; without it a shared object that someone else keeps alive keeps
 * the VMA, and the VMA the whole VM. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

#define VM_START 0x10000ull      /* below it: nothing (a guard, as the model always had) */
#define VM_END   (1ull << 48)    /* a gen8 48-bit PPGTT */

static bool range_free(struct m_vm *vm, uint64_t start, uint64_t size)
{
	if (start < VM_START || start % 4096 || start + size > VM_END || start + size < start)
		return false;
	for (struct m_vma *n = vm->nodes; n; n = n->next_in_vm)
		if (n->offset < start + size && start < n->offset + n->obj->size)
			return false;
	return true;
}

/* drm_mm_insert_node_in_range(.., DRM_MM_INSERT_BEST): the smallest hole
 * that fits, the lowest of equal ones. */
static uint64_t best_fit(struct m_vm *vm, uint64_t size)
{
	uint64_t best = VM_END, best_len = UINT64_MAX, at = VM_START;
	for (struct m_vma *n = vm->nodes;; n = n->next_in_vm) {
		uint64_t end = n ? n->offset : VM_END;
		if (end >= at && end - at >= size && end - at < best_len) {
			best = at;
			best_len = end - at;
		}
		if (!n)
			break;
		at = n->offset + n->obj->size;
	}
	return best;
}

static void node_insert(struct m_vm *vm, struct m_vma *v)
{
	struct m_vma **p = &vm->nodes;
	while (*p && (*p)->offset < v->offset)
		p = &(*p)->next_in_vm;
	v->next_in_vm = *p;
	*p = v;
}

static void vma_unbind(struct m_obj *o, struct m_vma **link)
{
	struct m_vma *v = *link;
	*link = v->next_in_obj;
	for (struct m_vma **p = &v->vm->nodes; *p; p = &(*p)->next_in_vm)
		if (*p == v) {
			*p = v->next_in_vm;
			break;
		}
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

static struct m_vma *vma_find(struct m_obj *o, struct m_vm *vm)
{
	for (struct m_vma *v = o->vmas; v; v = v->next_in_obj)
		if (v->vm == vm)
			return v;
	return NULL;
}

/* Drop one lookup of o in vm: the VMA is closed (unbound, the VM idle)
 * when close is set and no other lookup uses it. */
static void lut_drop(struct m_obj *o, struct m_vm *vm, bool close)
{
	for (struct m_vma **p = &o->vmas; *p; p = &(*p)->next_in_obj)
		if ((*p)->vm == vm) {
			if (--(*p)->open_count <= 0 && close && !(*p)->ggtt)
				vma_unbind(o, p);
			return;
		}
}

static void context_drop_luts(struct m_ctx *c)
{
	while (c->luts) {
		struct m_lut *l = c->luts;
		c->luts = l->next;
		lut_drop(l->obj, c->vm, false);
		free(l);
	}
}

void mi915_handle_close(struct m_file *f, uint32_t handle, struct m_obj *o)
{
	for (struct m_ctx *c = f->contexts; c; c = c->next)
		for (struct m_lut **p = &c->luts; *p;) {
			if ((*p)->handle == handle) {
				struct m_lut *l = *p;
				*p = l->next;
				lut_drop(o, c->vm, true);
				free(l);
			} else {
				p = &(*p)->next;
			}
		}
}

void mi915_file_drop_luts(struct m_file *f)
{
	for (struct m_ctx *c = f->contexts; c; c = c->next)
		context_drop_luts(c);
}

static void context_free(struct m_ctx *c)
{
	context_drop_luts(c);
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
	/* The others igt and Mesa ask at start-up, with what 6.1's
	 * i915_getparam_ioctl answers on a Broadwell GT2. */
	case I915_PARAM_REVISION:
		*value = 9;
		return 0;
	case I915_PARAM_NUM_FENCES_AVAIL:
		*value = 32;
		return 0;
	case I915_PARAM_HAS_BSD:
	case I915_PARAM_HAS_BLT:
	case I915_PARAM_HAS_VEBOX:
	case I915_PARAM_HAS_LLC:
	case I915_PARAM_HAS_SEMAPHORES:
	case I915_PARAM_HAS_CONTEXT_ISOLATION:
		*value = 1;
		return 0;
	case I915_PARAM_HAS_BSD2:
	case I915_PARAM_HAS_OVERLAY:
	case I915_PARAM_HAS_WT:
	case I915_PARAM_HAS_SECURE_BATCHES:
	case I915_PARAM_HAS_RESOURCE_STREAMER:
	case I915_PARAM_HAS_POOLED_EU:
	case I915_PARAM_MIN_EU_IN_POOL:
	case I915_PARAM_HUC_STATUS:
	case I915_PARAM_MMAP_GTT_COHERENT:
		*value = 0;
		return 0;
	case I915_PARAM_CMD_PARSER_VERSION:
		*value = 10;
		return 0;
	case I915_PARAM_SUBSLICE_TOTAL:
		*value = 3;
		return 0;
	case I915_PARAM_EU_TOTAL:
		*value = 24;
		return 0;
	case I915_PARAM_SLICE_MASK:
		*value = 1;
		return 0;
	case I915_PARAM_SUBSLICE_MASK:
		*value = 7;
		return 0;
	case I915_PARAM_HAS_GPU_RESET:
		*value = 2;
		return 0;
	case I915_PARAM_MMAP_GTT_VERSION:
		*value = 4;
		return 0;
	case I915_PARAM_HAS_SCHEDULER:
		*value = I915_SCHEDULER_CAP_ENABLED | I915_SCHEDULER_CAP_PRIORITY;
		return 0;
	case I915_PARAM_CS_TIMESTAMP_FREQUENCY:
		*value = 12500000;
		return 0;
	case I915_PARAM_PERF_REVISION:
		*value = 5;
		return 0;
	case I915_PARAM_MMAP_VERSION:
	case I915_PARAM_HAS_GEM:
	case I915_PARAM_HAS_PAGEFLIPPING:
	case I915_PARAM_HAS_EXECBUF2:
	case I915_PARAM_HAS_RELAXED_FENCING:
	case I915_PARAM_HAS_COHERENT_RINGS:
	case I915_PARAM_HAS_RELAXED_DELTA:
	case I915_PARAM_HAS_GEN7_SOL_RESET:
	case I915_PARAM_HAS_WAIT_TIMEOUT:
	case I915_PARAM_HAS_PRIME_VMAP_FLUSH:
	case I915_PARAM_HAS_PINNED_BATCHES:
	case I915_PARAM_HAS_EXEC_NO_RELOC:
	case I915_PARAM_HAS_EXEC_HANDLE_LUT:
	case I915_PARAM_HAS_COHERENT_PHYS_GTT:
	case I915_PARAM_HAS_EXEC_SOFTPIN:
	case I915_PARAM_HAS_EXEC_ASYNC:
	case I915_PARAM_HAS_EXEC_FENCE:
	case I915_PARAM_HAS_EXEC_CAPTURE:
	case I915_PARAM_HAS_EXEC_BATCH_FIRST:
	case I915_PARAM_HAS_EXEC_FENCE_ARRAY:
	case I915_PARAM_HAS_EXEC_SUBMIT_FENCE:
	case I915_PARAM_HAS_EXEC_TIMELINE_FENCES:
	case I915_PARAM_HAS_USERPTR_PROBE:
		*value = 1; /* MMAP_VERSION is 1 too */
		return 0;
	case I915_PARAM_IRQ_ACTIVE:
	case I915_PARAM_ALLOW_BATCHBUFFER:
	case I915_PARAM_LAST_DISPATCH:
	case I915_PARAM_HAS_EXEC_CONSTANTS:
		return -ENODEV; /* removed */
	}
	return -EINVAL;
}

int obj_memfd(struct m_obj *o)
{
	if (o->memfd >= 0)
		return o->memfd;
	int fd = memfd_create("i915-gem", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)o->size) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	o->memfd = fd;
	return fd;
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

static struct m_vma *vma_lookup_or_bind(struct m_obj *o, struct m_vm *vm, uint64_t presumed)
{
	struct m_vma *v = vma_find(o, vm);
	if (v)
		return v;
	v = calloc(1, sizeof(*v));
	if (!v)
		abort();
	v->obj = o;
	v->vm = vm;
	vm->refcount++;
	v->offset = range_free(vm, presumed, o->size) ? presumed : best_fit(vm, o->size);
	node_insert(vm, v);
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
	vma_lookup_or_bind(o, ggtt, 0)->ggtt = true;
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
	for (uint32_t i = 0; i < n; i++) {
		struct m_obj *o = handle_find(f, handles[i])->obj;
		struct m_vma *v = vma_lookup_or_bind(o, c->vm, offsets[i]);
		offsets[i] = v->offset;
		bool known = false;
		for (struct m_lut *l = c->luts; l && !known; l = l->next)
			known = l->handle == handles[i];
		if (!known) { /* eb_lookup_vmas: the first use through this handle */
			struct m_lut *l = calloc(1, sizeof(*l));
			if (!l)
				abort();
			l->handle = handles[i];
			l->obj = o;
			l->next = c->luts;
			c->luts = l;
			v->open_count++;
		}
	}
	return 0;
}
