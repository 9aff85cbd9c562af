/* libFuzzer targets for every text gemsoak reads from the kernel or the
 * user. One source, one binary per target: FUZZ_TARGET selects the parser
 * (see tests/fuzz/module.mk). Seeds are the real outputs in tests/fixtures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.h"
#include "sources/binder-stats.h"
#include "sources/fences-parse.h"
#include "sources/holders.h"
#include "sources/sources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_CONFIG = 1, FUZZ_GEM_NAMES, FUZZ_CLIENTS, FUZZ_BUFINFO, FUZZ_MEMINFO,
       FUZZ_I915_OBJECTS, FUZZ_I915_GTT, FUZZ_SLABINFO, FUZZ_I915_CONTEXTS,
       FUZZ_FDINFO, FUZZ_BINDER, FUZZ_FENCES, FUZZ_FRAMEBUFFERS };

/* The config parser reads a file: hand it a memfd by its /proc path. */
static void fuzz_config(const char *text, size_t size)
{
	int fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	FILE *devnull = fopen("/dev/null", "w");
	struct gs_config cfg;
	config_load(path, &cfg, devnull);
	config_free(&cfg);
	fclose(devnull);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The sources hand parsers NUL-terminated text. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct gem_names_stats gn;
	struct gem_holders gh;
	struct dmabuf_row rows[8];
	size_t nrows;
	uint64_t a, b;
	switch (FUZZ_TARGET) {
	case FUZZ_CONFIG:
		fuzz_config(text, size);
		break;
	case FUZZ_GEM_NAMES:
		parse_gem_names(text, &gn);
		parse_gem_names_holders(text, &gh);
		break;
	case FUZZ_CLIENTS: {
		int pids[8];
		size_t npids;
		parse_drm_clients(text, &a);
		parse_drm_client_pids(text, pids, 8, &npids);
		break;
	}
	case FUZZ_BUFINFO:
		parse_dmabuf_bufinfo(text, &a, &b);
		parse_dmabuf_rows(text, rows, sizeof(rows) / sizeof(rows[0]), &nrows);
		break;
	case FUZZ_MEMINFO:
		parse_meminfo_kb(text, "Shmem", &a);
		parse_status_rss_kb(text, &b);
		break;
	case FUZZ_I915_OBJECTS: {
		struct i915_objects_stats os;
		parse_i915_gem_objects(text, &os);
		break;
	}
	case FUZZ_I915_GTT: {
		struct i915_gtt_stats gs;
		parse_i915_gem_gtt(text, &gs);
		i915_gtt_lists_name(text, 1);
		break;
	}
	case FUZZ_SLABINFO:
		parse_slabinfo_cache(text, "i915_vma", &a, &b);
		break;
	case FUZZ_I915_CONTEXTS:
		parse_i915_context_status(text, &a, &b);
		break;
	case FUZZ_FDINFO: {
		struct drm_fdinfo fi;
		parse_drm_fdinfo(text, &fi);
		break;
	}
	case FUZZ_BINDER: {
		struct binder_stats bs;
		parse_binder_stats(text, &bs);
		parse_binder_dead_nodes(text, &a);
		break;
	}
	case FUZZ_FENCES:
		parse_bufinfo_fences(text, &a, &b);
		fd_link_kind(text);
		break;
	case FUZZ_FRAMEBUFFERS: {
		struct drm_fb_stats fs;
		parse_drm_framebuffers(text, &fs);
		parse_drm_state_scanout(text, &a, &b);
		break;
	}
	}
	free(text);
	return 0;
}
