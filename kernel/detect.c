/* Deciding whether a tree has a fix, most certain evidence first: the
 * commit (or a cherry-pick naming it) in git history, then a source
 * signature, then the release the tree's Makefile claims. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "kernel/detect.h"
#include "kernel/git.h"

#define SOURCE_MAX_BYTES (32u << 20)

const char *gs_fix_state_name(enum gs_fix_state s)
{
	return s == FIX_PRESENT ? "present" : s == FIX_MISSING ? "missing" : "unknown";
}

/* "VERSION = 6" style assignments of the top Makefile. */
static bool makefile_number(const char *mk, const char *var, int *out)
{
	size_t vlen = strlen(var);
	for (const char *l = mk; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, var, vlen) != 0)
			continue;
		const char *p = l + vlen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			continue;
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 1000)
			return false;
		*out = (int)v;
		return true;
	}
	return false;
}

int gs_tree_open(const char *dir, struct gs_tree *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->dir = dir;
	struct stat st;
	errno = 0;
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: cannot use as a kernel tree: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot use as a kernel tree: not a directory", dir);
		return -1;
	}
	t->git = git_is_repo(dir);
	char path[4096];
	snprintf(path, sizeof(path), "%s/Makefile", dir);
	size_t len;
	char *mk = read_file_limit(path, 1u << 20, &len);
	if (mk) {
		t->has_version = makefile_number(mk, "VERSION", &t->major) &&
				 makefile_number(mk, "PATCHLEVEL", &t->minor);
		if (!makefile_number(mk, "SUBLEVEL", &t->sub))
			t->sub = 0;
		free(mk);
	}
	return 0;
}

/* What precedes the name on a definition's line is a return type:
 * "static struct dma_buf *", never a comment or an expression. */
static bool only_type_words(const char *from, const char *to)
{
	for (const char *p = from; p < to; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != ' ' && *p != '\t' && *p != '*')
			return false;
	return true;
}

const char *gs_c_function_body(const char *src, const char *func, size_t *len)
{
	size_t flen = strlen(func);
	for (const char *l = src; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == ' ' || *l == '\t' || *l == '#' || *l == '\n')
			continue;
		const char *eol = strchr(l, '\n');
		size_t ll = eol ? (size_t)(eol - l) : strlen(l);
		/* FUNC( at column 0 or after a space or '*' on this line */
		const char *hit = NULL;
		for (const char *p = l; p + flen < l + ll; p++) {
			if (strncmp(p, func, flen) == 0 && p[flen] == '(' &&
			    (p == l || p[-1] == ' ' || p[-1] == '*')) {
				hit = p;
				break;
			}
		}
		if (!hit || !only_type_words(l, hit))
			continue;
		/* A definition when a "{" line comes before any ';'. */
		const char *q = l;
		while (q && *q) {
			const char *qe = strchr(q, '\n');
			size_t ql = qe ? (size_t)(qe - q) : strlen(q);
			if (q[0] == '{' && (ql == 1 || q[1] == ' ' || q[1] == '\t' || q[1] == '\r')) {
				const char *body = q;
				const char *end = body;
				while ((end = strchr(end, '\n')) && end[1] != '}')
					end++;
				*len = end ? (size_t)(end + 2 - body) : strlen(body);
				return body;
			}
			if (memchr(q, ';', ql))
				break;
			q = qe ? qe + 1 : NULL;
		}
	}
	return NULL;
}

bool gs_sig_text_matches(const char *body, size_t len, const char *text)
{
	static const char sep[] = " ... ";
	const char *at = body, *end = body + len;
	const char *piece = text;
	while (*piece) {
		const char *next = strstr(piece, sep);
		size_t plen = next ? (size_t)(next - piece) : strlen(piece);
		if (plen > 0) {
			const char *found = memmem(at, (size_t)(end - at), piece, plen);
			if (!found)
				return false;
			at = found + plen;
		}
		piece = next ? next + sizeof(sep) - 1 : piece + plen;
	}
	return true;
}

enum sig_result { SIG_MATCH, SIG_NO_MATCH, SIG_NO_FILE };

static enum sig_result check_signature(const char *dir, const struct gs_sig *g, char *why, size_t whylen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, g->path);
	size_t len;
	char *src = read_file_limit(path, SOURCE_MAX_BYTES, &len);
	if (!src) {
		snprintf(why, whylen, "%s: %s", g->path, strerror(errno));
		return SIG_NO_FILE;
	}
	const char *body = src;
	if (g->func) {
		body = gs_c_function_body(src, g->func, &len);
		if (!body) {
			snprintf(why, whylen, "%s has no function %s()", g->path, g->func);
			free(src);
			return SIG_NO_MATCH;
		}
	}
	bool ok = gs_sig_text_matches(body, len, g->text);
	snprintf(why, whylen, "%s %s%s%s '%s'", g->path, g->func ? g->func : "",
		 g->func ? "() " : "", ok ? "has" : "lacks", g->text);
	free(src);
	return ok ? SIG_MATCH : SIG_NO_MATCH;
}

static bool git_says_present(const struct gs_tree *t, const struct gs_fix *f, char *how, size_t howlen)
{
	const char *anc[] = { "merge-base", "--is-ancestor", f->commit, "HEAD", NULL };
	if (git_has_commit(t->dir, f->commit) && git_ok(t->dir, anc)) {
		snprintf(how, howlen, "git: %.12s is in HEAD's history", f->commit);
		return true;
	}
	/* Backports name the upstream id at the start of a line: "(cherry
	 * picked from commit ID)" (git cherry-pick -x), "commit ID upstream."
	 * or "[ Upstream commit ID ]" (stable trees). Not "This reverts
	 * commit ID" nor "Fixes: ID": those do not bring the fix. */
	char grep[128];
	snprintf(grep, sizeof(grep), "--grep=^(\\(cherry picked from commit|commit|\\[ Upstream commit) %.12s",
		 f->commit);
	const char *log[] = { "log", "-E", grep, "--format=%h", "-n", "1", "HEAD", NULL };
	struct git_result r;
	bool found = git_run(t->dir, log, &r) == 0 && r.out[0];
	if (found) {
		r.out[strcspn(r.out, "\n")] = '\0';
		snprintf(how, howlen, "git: commit %s in HEAD's history names %.12s", r.out, f->commit);
	}
	git_result_free(&r);
	return found;
}

static bool release_at_least(int major, int minor, const struct gs_fix *f)
{
	return major > f->rel_major || (major == f->rel_major && minor >= f->rel_minor);
}

void gs_detect_in_tree(const struct gs_tree *t, const struct gs_fix *f, struct gs_verdict *v)
{
	if (t->git && git_says_present(t, f, v->how, sizeof(v->how))) {
		v->state = FIX_PRESENT;
		return;
	}
	char why[512] = "";
	bool some_file = false;
	for (size_t i = 0; i < f->n_sigs; i++) {
		char w[512];
		enum sig_result r = check_signature(t->dir, &f->sigs[i], w, sizeof(w));
		if (r == SIG_MATCH) {
			v->state = FIX_PRESENT;
			snprintf(v->how, sizeof(v->how), "signature: %s", w);
			return;
		}
		if (r == SIG_NO_MATCH && !some_file) {
			some_file = true;
			snprintf(why, sizeof(why), "%s", w);
		}
	}
	if (t->has_version) {
		bool newer = release_at_least(t->major, t->minor, f);
		v->state = newer ? FIX_PRESENT : FIX_MISSING;
		snprintf(v->how, sizeof(v->how), "version: tree is %d.%d, fix landed in v%d.%d%s%s",
			 t->major, t->minor, f->rel_major, f->rel_minor,
			 some_file ? "; signature: " : f->n_sigs ? "; no signature file" : "", why);
		return;
	}
	if (some_file) {
		v->state = FIX_MISSING;
		snprintf(v->how, sizeof(v->how), "signature: %s", why);
		return;
	}
	v->state = FIX_UNKNOWN;
	snprintf(v->how, sizeof(v->how), "no git history, no signature file, no version in Makefile");
}

void gs_detect_by_release(const char *release, const struct gs_fix *f, struct gs_verdict *v)
{
	int major, minor;
	if (sscanf(release, "%d.%d", &major, &minor) != 2) {
		v->state = FIX_UNKNOWN;
		snprintf(v->how, sizeof(v->how), "release: cannot read a version from '%s'", release);
		return;
	}
	bool newer = release_at_least(major, minor, f);
	v->state = newer ? FIX_PRESENT : FIX_MISSING;
	snprintf(v->how, sizeof(v->how), "release: running %s %s v%d.%d%s", release,
		 newer ? ">=" : "<", f->rel_major, f->rel_minor,
		 newer ? "" : " (a vendor backport would not show here; check the source tree)");
}
