/* Parser for kernel/series: stanzas that start with "fix NAME", then
 * "key value" lines; '#' starts a comment line. Every error names
 * FILE:LINE so a broken series is fixed where it is broken. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "kernel/series.h"

#define SERIES_MAX_BYTES (1 << 20)

struct parser {
	const char *path;
	int line;
	char *err;
	size_t errlen;
	struct gs_series *s;
};

__attribute__((format(printf, 3, 4)))
static int perr(struct parser *p, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->path, line, msg);
	return -1;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void *xrealloc(void *ptr, size_t n, size_t size)
{
	void *r = reallocarray(ptr, n, size);
	if (!r)
		abort();
	return r;
}

/* Split VALUE into whitespace-separated words (a fresh array). */
static char **split_words(const char *value, size_t *n)
{
	char **words = NULL;
	*n = 0;
	const char *p = value;
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		words = xrealloc(words, *n + 1, sizeof(*words));
		words[(*n)++] = strndup(start, (size_t)(p - start));
		if (!words[*n - 1])
			abort();
	}
	return words;
}

static void free_words(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

static int parse_release(struct parser *p, struct gs_fix *f, const char *v)
{
	int major, minor, used = 0;
	if (sscanf(v, "v%d.%d%n", &major, &minor, &used) != 2 || v[used] != '\0' ||
	    major < 2 || minor < 0)
		return perr(p, p->line, "release: '%s' is not a mainline release like v3.12", v);
	f->rel_major = major;
	f->rel_minor = minor;
	return 0;
}

static int parse_commit(struct parser *p, struct gs_fix *f, const char *v)
{
	/* Full ids preferred; an abbreviation of at least 12 digits where
	 * only that much is confirmed (git resolves it in a real clone). */
	size_t len = strlen(v);
	bool hex = len >= 12 && len <= 40;
	for (size_t i = 0; hex && i < len; i++)
		hex = isxdigit((unsigned char)v[i]) && !isupper((unsigned char)v[i]);
	if (!hex)
		return perr(p, p->line, "commit: '%s' is not a lower-case commit id of 12 to 40 hex digits", v);
	memcpy(f->commit, v, len + 1);
	return 0;
}

/* "signature PATH FUNC TEXT..." */
static int parse_signature(struct parser *p, struct gs_fix *f, const char *v)
{
	char path[512], func[256];
	int used = 0;
	if (sscanf(v, "%511s %255s %n", path, func, &used) != 2 || v[used] == '\0')
		return perr(p, p->line, "signature: expected PATH FUNCTION TEXT (FUNCTION '-' for the whole file)");
	if (path[0] == '/' || strstr(path, ".."))
		return perr(p, p->line, "signature: '%s' must be a path inside the tree", path);
	f->sigs = xrealloc(f->sigs, f->n_sigs + 1, sizeof(*f->sigs));
	struct gs_sig *g = &f->sigs[f->n_sigs++];
	g->path = xstrdup(path);
	g->func = strcmp(func, "-") == 0 ? NULL : xstrdup(func);
	g->text = xstrdup(v + used);
	g->line = p->line;
	return 0;
}

static int resolve_patch(struct parser *p, struct gs_fix *f, const char *v)
{
	if (v[0] == '/') {
		f->patch = xstrdup(v);
		return 0;
	}
	const char *slash = strrchr(p->path, '/');
	int dirlen = slash ? (int)(slash - p->path) : 1;
	const char *dir = slash ? p->path : ".";
	if (asprintf(&f->patch, "%.*s/%s", dirlen, dir, v) < 0)
		abort();
	return 0;
}

static int set_once(struct parser *p, char **field, const char *key, const char *v)
{
	if (*field)
		return perr(p, p->line, "%s given twice for this fix", key);
	*field = xstrdup(v);
	return 0;
}

static int parse_requires(struct parser *p, struct gs_fix *f, const char *v)
{
	size_t n;
	char **w = split_words(v, &n);
	for (size_t i = 0; i < n; i++) {
		const struct gs_fix *r = gs_series_find(p->s, w[i]);
		if (!r || r == f) {
			perr(p, p->line, "requires: '%s' is not a fix earlier in the series", w[i]);
			free_words(w, n);
			return -1;
		}
	}
	f->requires = xrealloc(f->requires, f->n_requires + n, sizeof(char *));
	memcpy(f->requires + f->n_requires, w, n * sizeof(char *));
	f->n_requires += n;
	free(w);
	return 0;
}

static int parse_key(struct parser *p, struct gs_fix *f, const char *key, const char *v)
{
	if (!f)
		return perr(p, p->line, "'%s' before the first 'fix NAME' line", key);
	if (*v == '\0')
		return perr(p, p->line, "%s: missing value", key);
	if (strcmp(key, "commit") == 0) {
		if (f->commit[0])
			return perr(p, p->line, "commit given twice for this fix");
		return parse_commit(p, f, v);
	}
	if (strcmp(key, "subject") == 0)
		return set_once(p, &f->subject, key, v);
	if (strcmp(key, "release") == 0) {
		if (f->rel_major)
			return perr(p, p->line, "release given twice for this fix");
		return parse_release(p, f, v);
	}
	if (strcmp(key, "files") == 0) {
		size_t n;
		char **w = split_words(v, &n);
		f->files = xrealloc(f->files, f->n_files + n, sizeof(char *));
		memcpy(f->files + f->n_files, w, n * sizeof(char *));
		f->n_files += n;
		free(w);
		return 0;
	}
	if (strcmp(key, "requires") == 0)
		return parse_requires(p, f, v);
	if (strcmp(key, "workload") == 0)
		return set_once(p, &f->workload, key, v);
	if (strcmp(key, "signature") == 0)
		return parse_signature(p, f, v);
	if (strcmp(key, "probe") == 0) {
		f->probe_line = p->line;
		return set_once(p, &f->probe, key, v);
	}
	if (strcmp(key, "patch") == 0) {
		if (f->patch)
			return perr(p, p->line, "patch given twice for this fix");
		return resolve_patch(p, f, v);
	}
	return perr(p, p->line, "unknown key '%s' (known: commit subject release files requires workload signature patch probe)", key);
}

/* A fix is complete when it says what it is and how to recognise it. */
static int check_complete(struct parser *p, const struct gs_fix *f)
{
	const char *missing = !f->commit[0] ? "commit" : !f->subject ? "subject" :
			      !f->rel_major ? "release" : f->n_files == 0 ? "files" :
			      !f->workload ? "workload" : NULL;
	if (missing)
		return perr(p, f->line, "fix %s: no '%s' line", f->name, missing);
	return 0;
}

static int start_fix(struct parser *p, const char *name)
{
	size_t n;
	char **w = split_words(name, &n);
	bool ok = n == 1;
	free_words(w, n);
	if (!ok)
		return perr(p, p->line, "fix: expected one NAME, got '%s'", name);
	if (gs_series_find(p->s, name))
		return perr(p, p->line, "fix %s: defined twice", name);
	struct gs_series *s = p->s;
	s->fixes = xrealloc(s->fixes, s->n + 1, sizeof(*s->fixes));
	struct gs_fix *f = &s->fixes[s->n++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->line = p->line;
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *key = line;
	while (isspace((unsigned char)*key))
		key++;
	size_t len = strlen(key);
	while (len && isspace((unsigned char)key[len - 1]))
		key[--len] = '\0';
	if (*key == '\0' || *key == '#')
		return 0;
	char *v = key;
	while (*v && !isspace((unsigned char)*v))
		v++;
	if (*v)
		*v++ = '\0';
	while (isspace((unsigned char)*v))
		v++;
	struct gs_fix *cur = p->s->n ? &p->s->fixes[p->s->n - 1] : NULL;
	if (strcmp(key, "fix") == 0) {
		if (*v == '\0')
			return perr(p, p->line, "fix: missing NAME");
		if (cur && check_complete(p, cur) < 0)
			return -1;
		return start_fix(p, v);
	}
	return parse_key(p, cur, key, v);
}

int gs_series_parse(const char *text, const char *path, struct gs_series *s,
		    char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	struct parser p = { .path = path, .err = err, .errlen = errlen, .s = s };
	const char *at = text;
	while (*at) {
		const char *nl = strchr(at, '\n');
		size_t len = nl ? (size_t)(nl - at) : strlen(at);
		char *line = strndup(at, len);
		if (!line)
			abort();
		p.line++;
		int rc = parse_line(&p, line);
		free(line);
		if (rc < 0)
			goto fail;
		at += len + (nl ? 1 : 0);
	}
	if (s->n == 0) {
		perr(&p, p.line, "no 'fix NAME' stanza in the series");
		goto fail;
	}
	if (check_complete(&p, &s->fixes[s->n - 1]) < 0)
		goto fail;
	return 0;
fail:
	gs_series_free(s);
	return -1;
}

int gs_series_load(const char *path, struct gs_series *s, char *err, size_t errlen)
{
	size_t len;
	char *text = read_file_limit(path, SERIES_MAX_BYTES, &len);
	if (!text) {
		snprintf(err, errlen, "%s:0: cannot read the fix series: %s", path, strerror(errno));
		return -1;
	}
	int rc = gs_series_parse(text, path, s, err, errlen);
	free(text);
	return rc;
}

void gs_series_free(struct gs_series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct gs_fix *f = &s->fixes[i];
		free(f->name);
		free(f->subject);
		free_words(f->files, f->n_files);
		free_words(f->requires, f->n_requires);
		free(f->workload);
		free(f->patch);
		free(f->probe);
		for (size_t j = 0; j < f->n_sigs; j++) {
			free(f->sigs[j].path);
			free(f->sigs[j].func);
			free(f->sigs[j].text);
		}
		free(f->sigs);
	}
	free(s->fixes);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

const struct gs_fix *gs_series_find(const struct gs_series *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->fixes[i].name, name) == 0)
			return &s->fixes[i];
	return NULL;
}

void gs_series_default_path(char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char rel[4200], *real;
			snprintf(rel, sizeof(rel), "%s/../kernel/series", exe);
			if ((real = realpath(rel, NULL))) {
				snprintf(buf, len, "%s", real);
				free(real);
				return;
			}
		}
	}
	snprintf(buf, len, "%s/kernel/series", GS_DATADIR);
}
