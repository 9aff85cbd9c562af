/* The sources the sampler runs each interval. A new source is one new
 * file plus one line here. */
#include <stddef.h>

#include "sources/sources.h"

extern const struct source source_i915_quiesce;
extern const struct source source_drop_caches;
extern const struct source source_proc_walk;
extern const struct source source_gem_names;
extern const struct source source_drm_clients;
extern const struct source source_drm_framebuffers;
extern const struct source source_dmabuf;
extern const struct source source_meminfo;
extern const struct source source_self;
extern const struct source source_workloads;
extern const struct source source_i915_objects;
extern const struct source source_i915_gtt;
extern const struct source source_i915_contexts;
extern const struct source source_slabinfo;
extern const struct source source_fdinfo;
extern const struct source source_binder;
extern const struct source source_fences;
extern const struct source source_holders;
extern const struct source source_origins;

const struct source *const gs_sources[] = {
	&source_i915_quiesce, /* first: the others read settled counts */
	&source_drop_caches,  /* then the slab objects it freed go */
	&source_proc_walk,    /* a new round for the walk fdinfo, fences and holders share */
	&source_gem_names,
	&source_drm_clients,
	&source_drm_framebuffers,
	&source_dmabuf,
	&source_meminfo,
	&source_self,
	&source_workloads,
	&source_i915_objects,
	&source_i915_gtt,
	&source_i915_contexts,
	&source_slabinfo,
	&source_fdinfo,
	&source_binder,
	&source_fences,
	&source_holders,
	&source_origins,
	NULL,
};
