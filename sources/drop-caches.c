/* drop_caches = yes: before each sample, write 2 to /proc/sys/vm/drop_caches,
 * so that the kernel frees the reclaimable slab objects it keeps until
 * memory is needed (dentries and inodes): what is left in mem.slab_kb and
 * the slab caches is what is still in use. Off by default, as it is
 * intrusive: every process's dentry and inode caches go, file lookups on
 * the machine are slower after each sample, and the walk over every cache
 * costs CPU time. Adds no metric; a failed write (not root, or /proc/sys
 * read-only as under systemd's ProtectKernelTunables=) is an event like
 * any source's. */
#include "sources/sources.h"

static int drop_caches(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	if (!ctx->drop_caches)
		return 0;
	return source_write_under(ctx->procfs, "sys/vm/drop_caches", "2", why, whylen);
}

const struct source source_drop_caches = { "drop_caches", drop_caches, NULL };
