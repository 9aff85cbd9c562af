/* debugfs dri/N/framebuffer and dri/N/state (KMS drivers): what a display
 * server leaves behind on the scan-out side. "framebuffer[ID]:" opens each
 * framebuffer, whose "allocated by = COMM" line (4.15+) names the process
 * that made it ("[fbcon]" for the console's); each plane of the atomic
 * state shows "fb=ID" and, when it has one, that framebuffer's lines.
 * Metrics: drm.framebuffers, drm.framebuffers.by.OWNER (an owner once
 * seen stays at 0 when it has none; owners beyond the first 16 add up in
 * drm.framebuffers.by.other), drm.scanout.planes (planes with a
 * framebuffer) and drm.scanout.fbcon (those scanning out fbcon's). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/sources.h"

/* The line at *pos (without its newline) and the next line's start. */
static const char *next_line(const char **pos, size_t *len)
{
	const char *line = *pos;
	if (!*line)
		return NULL;
	const char *end = strchr(line, '\n');
	*len = end ? (size_t)(end - line) : strlen(line);
	*pos = line + *len + (end ? 1 : 0);
	return line;
}

/* The owner of an "allocated by = COMM" line, as a metric-name word:
 * brackets dropped, anything but [A-Za-z0-9._-] as '_'. False when the
 * line is not one. */
static bool owner_of(const char *line, size_t len, char *owner, size_t max)
{
	const char *key = "allocated by = ";
	size_t skip = strspn(line, "\t ");
	size_t klen = strlen(key);
	if (len < skip + klen || memcmp(line + skip, key, klen))
		return false;
	size_t n = 0;
	for (size_t i = skip + klen; i < len && n + 1 < max; i++) {
		char c = line[i];
		if (c == '[' || c == ']')
			continue;
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '.' || c == '-' || c == '_';
		owner[n++] = word ? c : '_';
	}
	owner[n] = '\0';
	if (!n)
		snprintf(owner, max, "unknown");
	return true;
}

static void count_owner(struct drm_fb_stats *out, const char *owner)
{
	int i = 0;
	while (i < out->owners && strcmp(out->owner[i].name, owner))
		i++;
	if (i == out->owners) {
		if (out->owners == DRM_FB_OWNERS_MAX) {
			out->other++;
			return;
		}
		snprintf(out->owner[i].name, sizeof(out->owner[i].name), "%s", owner);
		out->owner[i].count = 0;
		out->owners++;
	}
	out->owner[i].count++;
}

int parse_drm_framebuffers(const char *text, struct drm_fb_stats *out)
{
	memset(out, 0, sizeof(*out));
	const char *pos = text, *line;
	size_t len;
	bool in_fb = false, owned = false;
	while ((line = next_line(&pos, &len))) {
		if (len >= 12 && !memcmp(line, "framebuffer[", 12)) {
			if (in_fb && !owned)
				count_owner(out, "unknown");
			out->framebuffers++;
			in_fb = true;
			owned = false;
			continue;
		}
		if (!in_fb) {
			if (strspn(line, " \t") < len)
				return -EINVAL; /* text before the first framebuffer */
			continue;
		}
		char owner[DRM_FB_OWNER_LEN];
		if (!owned && owner_of(line, len, owner, sizeof(owner))) {
			count_owner(out, owner);
			owned = true;
		}
	}
	if (in_fb && !owned)
		count_owner(out, "unknown"); /* before 4.15: no owner line */
	return 0;
}

int parse_drm_state_scanout(const char *text, uint64_t *planes, uint64_t *fbcon)
{
	*planes = *fbcon = 0;
	const char *pos = text, *line;
	size_t len;
	bool in_plane = false, seen_plane = false, has_fb = false;
	while ((line = next_line(&pos, &len))) {
		if (len && line[0] != '\t' && line[0] != ' ') {
			in_plane = len >= 6 && !memcmp(line, "plane[", 6);
			seen_plane |= in_plane;
			has_fb = false;
			continue;
		}
		if (!in_plane)
			continue;
		size_t skip = strspn(line, "\t");
		if (skip == 1 && len > 4 && !memcmp(line + 1, "fb=", 3)) {
			has_fb = strtoul(line + 4, NULL, 10) != 0;
			*planes += has_fb;
			continue;
		}
		char owner[DRM_FB_OWNER_LEN];
		if (has_fb && owner_of(line, len, owner, sizeof(owner)) && !strcmp(owner, "fbcon"))
			(*fbcon)++;
	}
	return seen_plane ? 0 : -EINVAL;
}

/* Owners seen in this daemon's life, so one that has no framebuffer any
 * more reads 0 rather than vanishing from the series. */
static char seen[DRM_FB_OWNERS_MAX][DRM_FB_OWNER_LEN];
static int nseen;

/* One value per name and round (the samples' key is metric and tick): an
 * owner beyond the seen list's bound counts in "other", and a process
 * that is itself called "other" shares that series with them. */
static int put_owners(struct metric_batch *b, const struct drm_fb_stats *st)
{
	uint64_t other = st->other;
	for (int i = 0; i < st->owners; i++) {
		int j = 0;
		while (j < nseen && strcmp(seen[j], st->owner[i].name))
			j++;
		if (j == nseen && nseen < DRM_FB_OWNERS_MAX)
			snprintf(seen[nseen++], DRM_FB_OWNER_LEN, "%s", st->owner[i].name);
		else if (j == nseen)
			other += st->owner[i].count;
	}
	char name[METRIC_NAME_MAX];
	bool other_put = false;
	int r = 0;
	for (int j = 0; j < nseen && !r; j++) {
		uint64_t n = 0;
		for (int i = 0; i < st->owners; i++)
			if (!strcmp(seen[j], st->owner[i].name))
				n = st->owner[i].count;
		if (!strcmp(seen[j], "other")) {
			n += other;
			other_put = true;
		}
		snprintf(name, sizeof(name), "drm.framebuffers.by.%.*s", DRM_FB_OWNER_LEN, seen[j]);
		r = batch_put(b, name, (double)n, "count");
	}
	if (!r && other && !other_put)
		r = batch_put(b, "drm.framebuffers.by.other", (double)other, "count");
	return r;
}

static int put_framebuffers(const struct source_ctx *ctx, const char *text, struct metric_batch *b)
{
	struct drm_fb_stats st;
	int r = parse_drm_framebuffers(text, &st);
	if (r)
		return r;
	r = batch_put(b, "drm.framebuffers", (double)st.framebuffers, "count");
	if (!r)
		r = put_owners(b, &st);
	/* The atomic state: only atomic drivers have it. */
	char path[512], swhy[256];
	char *state = source_read_dri(ctx, "state", path, sizeof(path), swhy, sizeof(swhy));
	if (state && !r) {
		uint64_t planes, fbcon;
		if (!parse_drm_state_scanout(state, &planes, &fbcon)) {
			r = batch_put(b, "drm.scanout.planes", (double)planes, "count");
			if (!r)
				r = batch_put(b, "drm.scanout.fbcon", (double)fbcon, "count");
		}
	}
	free(state);
	return r;
}

/* No framebuffer file: a driver without KMS (vgem), nothing to count. */
static const struct text_source framebuffers = {
	.file = "framebuffer", .dri = true, .optional = true,
	.format = "unrecognised format", .put = put_framebuffers,
};

static int collect_framebuffers(const struct source_ctx *ctx, struct metric_batch *b, char *why,
				size_t whylen)
{
	return source_collect_text(ctx, &framebuffers, b, why, whylen);
}

static const struct metric_decl drm_framebuffers_metrics[] = {
	{ "drm.framebuffers", "count", METRIC_GAUGE, true, "framebuffers of the device (dri/N/framebuffer)" },
	{ "drm.framebuffers.by.OWNER", "count", METRIC_GAUGE, true,
	  "those of one owner (the creating process, up to 16; the rest in .by.other)" },
	{ "drm.scanout.planes", "count", METRIC_GAUGE, true,
	  "planes scanning out a framebuffer (dri/N/state, atomic drivers)" },
	{ "drm.scanout.fbcon", "count", METRIC_GAUGE, true,
	  "of those, planes scanning out fbcon's framebuffer" },
	METRIC_DECL_END,
};
const struct source source_drm_framebuffers = {
	"framebuffers", collect_framebuffers, drm_framebuffers_metrics,
};
