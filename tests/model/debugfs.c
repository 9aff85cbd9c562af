/* The model's debugfs and procfs files, in the formats of the kernels it
 * stands for (a 4.x i915 with the DRM core of that time):
 *   DIR/dri/N/{name,gem_names,clients,i915_gem_objects,i915_gem_gtt,i915_context_status}
 *   DIR/dma_buf/bufinfo, DIR/slabinfo (an excerpt of /proc/slabinfo).
 * Programs under the shim read them live (debugfs_render, when opened);
 * the copies under DIR, written atomically (temp + rename), are for the
 * others. Called with M.lock held. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/model/model.h"

static FILE *begin(const char *dir, const char *rel, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s/%s.tmp", dir, rel);
	return fopen(tmp, "w");
}

static void commit(FILE *f, const char *tmp)
{
	if (!f)
		return;
	fclose(f);
	char final[1024];
	snprintf(final, sizeof(final), "%.*s", (int)(strlen(tmp) - 4), tmp);
	if (rename(tmp, final) < 0)
		perror(final);
}

static void write_gem_names(FILE *f)
{
	fprintf(f, "  name     size handles refcount\n");
	for (struct m_obj *o = M.objs; o; o = o->next)
		if (o->name)
			fprintf(f, "%6u %8llu %7d %8d\n", o->name, (unsigned long long)o->size,
				o->handle_count, o->refcount);
}

static void write_clients(FILE *f)
{
	fprintf(f, "             command   pid dev master a   uid      magic\n");
	for (struct m_file *c = M.files; c; c = c->next)
		if (!c->released)
			fprintf(f, "%20s %5d %3d   %c    %c %5d %10u\n", c->comm, (int)c->pid, M.minor,
				'n', 'y', 0, 0);
}

static void write_bufinfo(FILE *f)
{
	fprintf(f, "\nDma-buf Objects:\n");
	fprintf(f, "size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n");
	for (struct m_dmabuf *d = M.dmabufs; d; d = d->next)
		fprintf(f, "%08llu\t%08x\t%08x\t%08d\t%s\t%08u\t<none>\n\tAttached Devices:\nTotal 0 devices attached\n\n",
			(unsigned long long)d->obj->size, 2u, 0x80007u, d->refcount, "i915", d->id);
	uint64_t bytes;
	int n = dmabuf_count(&bytes);
	fprintf(f, "\nTotal %d objects, %llu bytes\n", n, (unsigned long long)bytes);
}

/* 5.x/6.x: the shrinker's count (every model object has pages) and the
 * memory regions. */
static void write_gem_objects_modern(FILE *f)
{
	unsigned n = 0;
	unsigned long long bytes = 0;
	for (struct m_obj *o = M.objs; o; o = o->next) {
		n++;
		bytes += o->size;
	}
	fprintf(f, "%u shrinkable [0 free] objects, %llu bytes\n", n, bytes);
	fprintf(f, "system: total:  15.5 GiB, available:  15.1 GiB\n");
	fprintf(f, "stolen-system: total:  60.0 MiB, available:  52.0 MiB\n");
}

/* The 3.10–4.x i915_gem_object_info layout: totals, then one line per file. */
static void write_gem_objects(FILE *f)
{
	if (M.modern_debugfs) {
		write_gem_objects_modern(f);
		return;
	}
	unsigned n = 0, bound = 0;
	unsigned long long bytes = 0, bound_bytes = 0;
	for (struct m_obj *o = M.objs; o; o = o->next) {
		n++;
		bytes += o->size;
		if (o->vmas) {
			bound++;
			bound_bytes += o->size;
		}
	}
	fprintf(f, "%u objects, %llu bytes\n", n, bytes);
	fprintf(f, "%u [%u] objects, %llu [%llu] bytes in gtt\n", bound, bound, bound_bytes, bound_bytes);
	fprintf(f, "  %u [%u] active objects, %llu [%llu] bytes\n", 0u, 0u, 0ull, 0ull);
	fprintf(f, "  %u [%u] inactive objects, %llu [%llu] bytes\n", bound, bound, bound_bytes, bound_bytes);
	fprintf(f, "%u unbound objects, %llu bytes\n", n - bound, bytes - bound_bytes);
	fprintf(f, "%u purgeable objects, %llu bytes\n", 0u, 0ull);
	fprintf(f, "%u pinned mappable objects, %llu bytes\n", 0u, 0ull);
	fprintf(f, "%u fault mappable objects, %llu bytes\n", 0u, 0ull);
	fprintf(f, "%llu [%llu] gtt total\n", 4294967296ull, 268435456ull);
	fprintf(f, "\n");
	for (struct m_file *c = M.files; c; c = c->next) {
		if (c->released)
			continue;
		unsigned cn = 0;
		unsigned long long cb = 0;
		for (struct m_handle *h = c->handles; h; h = h->next) {
			cn++;
			cb += h->obj->size;
		}
		fprintf(f, "%s: %u objects, %llu bytes (%llu active, %llu inactive, %llu unbound)\n",
			c->comm, cn, cb, 0ull, 0ull, cb);
	}
}

/* i915_gem_gtt_info of the 4.x era: the bound list, one VMA entry per
 * binding ("ppgtt offset" or "ggtt offset"), then the total. */
static void write_gem_gtt(FILE *f)
{
	unsigned n = 0;
	unsigned long long bytes = 0, gtt = 0;
	for (struct m_obj *o = M.objs; o; o = o->next) {
		if (!o->vmas)
			continue;
		n++;
		bytes += o->size;
		fprintf(f, "   ffff8800%08x:    %8lluKiB 01 00 0 0 0 uncached", o->id,
			(unsigned long long)o->size / 1024);
		if (o->fbcon)
			fprintf(f, " (pinned x 1) (display)");
		if (o->name)
			fprintf(f, " (name: %u)", o->name);
		for (struct m_vma *v = o->vmas; v; v = v->next_in_obj) {
			const char *space = M.full_ppgtt && !v->ggtt ? "pp" : "g";
			if (M.modern_debugfs) /* i915_debugfs_describe_obj, stringify_vma_type */
				fprintf(f, " (%sgtt offset: %08llx, size: %08llx, pages: 4K%s)", space,
					(unsigned long long)v->offset, (unsigned long long)o->size,
					v->ggtt ? ", type: normal, pin count: 1" : "");
			else
				fprintf(f, " (%sgtt offset: %08llx, size: %08llx)", space,
					(unsigned long long)v->offset, (unsigned long long)o->size);
			gtt += o->size;
		}
		fprintf(f, "\n");
	}
	fprintf(f, "Total %u objects, %llu bytes, %llu GTT size\n", n, bytes, gtt);
}

static void write_context_status(FILE *f)
{
	for (struct m_file *c = M.files; c; c = c->next) {
		if (c->released)
			continue;
		for (struct m_ctx *x = c->contexts; x; x = x->next)
			fprintf(f, "HW context %u (%s [%d]) R\n", x->id, c->comm, (int)c->pid);
	}
}

static void write_slabinfo(FILE *f)
{
	unsigned long objs = 0, vmas = 0;
	for (struct m_obj *o = M.objs; o; o = o->next) {
		objs++;
		for (struct m_vma *v = o->vmas; v; v = v->next_in_obj)
			vmas++;
	}
	fprintf(f, "slabinfo - version: 2.1\n");
	fprintf(f, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		   " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	fprintf(f, "%-17s %6lu %6lu %6d %4d %4d : tunables %4d %4d %4d : slabdata %6lu %6lu %6d\n",
		"i915_vma", vmas, vmas, 576, 28, 4, 0, 0, 0, (vmas + 27) / 28, (vmas + 27) / 28, 0);
	fprintf(f, "%-17s %6lu %6lu %6d %4d %4d : tunables %4d %4d %4d : slabdata %6lu %6lu %6d\n",
		"drm_i915_gem_object", objs, objs, 704, 23, 4, 0, 0, 0, (objs + 22) / 23,
		(objs + 22) / 23, 0);
}

/* drm_name_info: the driver, its parent device and the unique name. */
static void write_name(FILE *f)
{
	fprintf(f, "i915 dev=0000:00:02.0 unique=0000:00:02.0\n");
}

static const struct {
	const char *rel;
	void (*write)(FILE *);
	bool dri;
} files[] = {
	{ "name", write_name, true },
	{ "gem_names", write_gem_names, true },
	{ "clients", write_clients, true },
	{ "i915_gem_objects", write_gem_objects, true },
	{ "i915_gem_gtt", write_gem_gtt, true },
	{ "i915_context_status", write_context_status, true },
	{ "dma_buf/bufinfo", write_bufinfo, false },
	{ "slabinfo", write_slabinfo, false },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* The path of files[i] under the debugfs dir. */
static void file_rel(size_t i, char *rel, size_t len)
{
	if (files[i].dri)
		snprintf(rel, len, "dri/%d/%s", M.minor, files[i].rel);
	else
		snprintf(rel, len, "%s", files[i].rel);
}

int debugfs_render(const char *rel, FILE *out)
{
	char want[256];
	for (size_t i = 0; i < NFILES; i++) {
		file_rel(i, want, sizeof(want));
		if (strcmp(rel, want) != 0)
			continue;
		if (files[i].dri && M.unplugged)
			return -ENOENT; /* dri/N went with the device */
		files[i].write(out);
		return 0;
	}
	return 1;
}

void debugfs_write_all(const char *dir)
{
	char sub[1024], tmp[1100];
	snprintf(sub, sizeof(sub), "%s/dri", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/dma_buf", dir);
	mkdir(sub, 0755);
	for (size_t i = 0; i < NFILES; i++) {
		char rel[256];
		if (files[i].dri && M.unplugged)
			continue; /* dri/N went with the device; dma-bufs and slabs stay */
		file_rel(i, rel, sizeof(rel));
		FILE *f = begin(dir, rel, tmp, sizeof(tmp));
		if (!f) {
			fprintf(stderr, "gs-model: %s: %s\n", tmp, strerror(errno));
			continue;
		}
		files[i].write(f);
		commit(f, tmp);
	}
}

void debugfs_add_device(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/dri", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dri/%d", dir, M.minor);
	mkdir(path, 0755);
	debugfs_write_all(dir);
	/* Written by gemsoakd's quiesce = yes; the model has nothing to retire,
	 * the test looks at what was written. */
	snprintf(path, sizeof(path), "%s/dri/%d/i915_gem_drop_caches", dir, M.minor);
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
}

void debugfs_remove_device(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/dri/%d", dir, M.minor);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char file[1300];
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		unlink(file);
	}
	closedir(d);
	if (rmdir(path) < 0)
		perror(path);
}

/* One memory key as drm_show_memory_stats prints it: in KiB or MiB
 * only while the value is a whole number of them (the first version, in
 * 6.5, divided down whatever the remainder, so 1400 KiB read 1 MiB). */
static void fdinfo_size(FILE *out, const char *stat, uint64_t bytes)
{
	static const char *const units[] = { "", " KiB", " MiB" };
	unsigned u = 0;
	while (u < 2 && bytes != 0 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	fprintf(out, "drm-%s-memory:\t%llu%s\n", stat, (unsigned long long)bytes, units[u]);
}

void fdinfo_render(const struct m_file *f, FILE *out)
{
	fprintf(out, "pos:\t0\nflags:\t02100002\nmnt_id:\t15\nino:\t%llu\n", (unsigned long long)f->client_ino);
	fprintf(out, "drm-driver:\ti915\ndrm-pdev:\t0000:00:02.0\ndrm-client-id:\t%u\n", f->id);
	static const char *const engines[] = { "render", "copy", "video", "video-enhance" };
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		fprintf(out, "drm-engine-%s:\t0 ns\n", engines[i]);
	if (!M.fdinfo_memory)
		return;
	/* Per handle, as the kernel walks file->object_idr: shared when the
	 * object has handles on other files too (handle_count > 1). */
	uint64_t private = 0, shared = 0, resident = 0;
	for (const struct m_handle *h = f->handles; h; h = h->next) {
		if (h->obj->handle_count > 1)
			shared += h->obj->size;
		else
			private += h->obj->size;
		if (h->obj->memfd >= 0)
			resident += h->obj->size;
	}
	fdinfo_size(out, "total", private + shared);
	fdinfo_size(out, "shared", shared);
	fdinfo_size(out, "active", 0);
	fdinfo_size(out, "resident", resident);
}
