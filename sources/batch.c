#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "sources/sources.h"

int source_parse_failed(int r, const char *path, const char *format, char *why, size_t whylen)
{
	if (r == -ERANGE)
		snprintf(why, whylen, "%s: a negative or overflowing number; not recorded", path);
	else
		snprintf(why, whylen, "%s: %s", path, format);
	return r;
}

char *source_read(const char *path, char *why, size_t whylen)
{
	char *text = kept_file_read(path);
	if (!text) {
		int e = errno;
		char msg[96];
		if (e == EFBIG)
			snprintf(why, whylen, "%s: larger than the %u MiB read cap; not read", path,
				 GS_TEXT_LIMIT >> 20);
		else
			snprintf(why, whylen, "%s: %s", path, read_error(e, msg, sizeof(msg)));
		errno = e;
	}
	return text;
}

char *source_read_under(const char *root, const char *rel, char *path, size_t pathlen,
			char *why, size_t whylen)
{
	if (!fmt_ok(path, pathlen, "%s/%s", root, rel)) {
		snprintf(why, whylen, "%s/%s: path too long", root, rel);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return source_read(path, why, whylen);
}

int source_write_under(const char *root, const char *rel, const char *text, char *why, size_t whylen)
{
	char path[512];
	if (!fmt_ok(path, sizeof(path), "%s/%s", root, rel)) {
		snprintf(why, whylen, "%s/%s: path too long", root, rel);
		return -ENAMETOOLONG;
	}
	/* Like every source read: no blocking open, regular files only. */
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	int e = fd < 0 ? errno : 0;
	struct stat sb;
	if (!e && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
		e = GS_ENOTREG;
	if (!e && write(fd, text, strlen(text)) < 0)
		e = errno;
	if (fd >= 0)
		close(fd);
	if (e) {
		char msg[96];
		snprintf(why, whylen, "%s: %s", path, read_error(e, msg, sizeof(msg)));
		return -e;
	}
	return 0;
}

char *source_read_dri(const struct source_ctx *ctx, const char *file, char *path, size_t pathlen,
		      char *why, size_t whylen)
{
	if (ctx->card_minor < 0) {
		snprintf(why, whylen, "the device's DRM minor is unknown");
		errno = ENODEV;
		return NULL;
	}
	char rel[128];
	snprintf(rel, sizeof(rel), "dri/%d/%s", ctx->card_minor, file);
	return source_read_under(ctx->debugfs, rel, path, pathlen, why, whylen);
}

int source_collect_text(const struct source_ctx *ctx, const struct text_source *t,
			struct metric_batch *b, char *why, size_t whylen)
{
	if (t->i915_only && !ctx->i915)
		return 0; /* another driver: nothing to say */
	char path[512];
	char *text = t->dri ? source_read_dri(ctx, t->file, path, sizeof(path), why, whylen)
			    : source_read_under(ctx->debugfs, t->file, path, sizeof(path), why, whylen);
	if (!text)
		return t->optional && errno == ENOENT ? 0 : -errno;
	int r = t->put(ctx, text, b);
	free(text);
	if (r == -EINVAL || r == -ERANGE)
		return source_parse_failed(r, path, t->format, why, whylen);
	return r;
}
