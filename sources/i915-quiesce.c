/* quiesce = yes: before each sample, retire requests, idle the GPU and free
 * what is waiting to be freed, by writing debugfs dri/N/i915_gem_drop_caches
 * as igt's igt_get_stable_obj_count does, so object counts do not wobble
 * with work in flight. Off by default: it stalls the GPU and so perturbs
 * the soak. Adds no metric; a failed write is an event like any source's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "sources/sources.h"

/* igt's DROP_RETIRE | DROP_ACTIVE | DROP_IDLE */
#define GS_DROP_CACHES "0x4c"

static int quiesce(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	if (!ctx->i915 || !ctx->quiesce)
		return 0;
	char path[512];
	if (ctx->card_minor < 0 ||
	    !fmt_ok(path, sizeof(path), "%s/dri/%d/i915_gem_drop_caches", ctx->debugfs, ctx->card_minor)) {
		snprintf(why, whylen, "i915_gem_drop_caches: the device's debugfs directory is unknown");
		return -ENODEV;
	}
	/* Like every source read: no blocking open, regular files only. */
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	int e = fd < 0 ? errno : 0;
	struct stat sb;
	if (!e && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
		e = GS_ENOTREG;
	if (!e && write(fd, GS_DROP_CACHES, strlen(GS_DROP_CACHES)) < 0)
		e = errno;
	if (e) {
		char msg[96];
		snprintf(why, whylen, "%s: %s", path, read_error(e, msg, sizeof(msg)));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

const struct source source_i915_quiesce = { "i915_gem_drop_caches", quiesce };
