/* Parsing is two passes: libinih reads the file into raw (section, key,
 * value, line) entries — our reader wrapper counts lines and notices
 * section headers, which inih does not report on their own — and then
 * each entry is validated against the [daemon] keys or the workload
 * type's key table. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "common/util.h"
#include "daemon/config.h"

struct raw_entry {
	int section;   /* index into sections */
	int line;
	char *key, *value;
};

struct raw_section {
	char *name;    /* as written inside the brackets */
	const char *file;
	int line;
};

struct parse {
	const char *path;     /* the file being read, or whose section is validated */
	FILE *errs;
	const char *buf, *end;  /* the file's text, the next line at buf */
	int line;             /* lines handed to inih so far */
	int errors;
	int line_errors;      /* of those, lines too long or with NUL bytes (skipped) */
	struct raw_section *sec;
	size_t nsec;
	struct raw_entry *ent;
	size_t nent;
	struct gs_config *cfg;
	size_t text_len, text_cap;
};

/* "FILE:LINE: message"; a problem refuses the config, a warning (a
 * deprecated spelling that still works) leaves it taken. */
__attribute__((format(printf, 4, 5)))
static void report(struct parse *p, bool refuses, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(p->errs, "%s:%d: ", p->path, line);
	vfprintf(p->errs, fmt, ap);
	fputc('\n', p->errs);
	va_end(ap);
	p->errors += refuses;
}
#define problem(p, line, ...) report(p, true, line, __VA_ARGS__)
#define warning(p, line, ...) report(p, false, line, "warning: " __VA_ARGS__)

/* The arrays here grow one element at a time: capacity 8, 16, 32, ... */
static void *grow(void *arr, size_t n, size_t elem)
{
	bool full = n == 0 || (n >= 8 && (n & (n - 1)) == 0);
	if (!full)
		return arr;
	void *a = realloc(arr, (n ? n * 2 : 8) * elem);
	if (!a) {
		fprintf(stderr, "gemsoakd: out of memory reading the config\n");
		exit(GS_EXIT_CONFIG);
	}
	return a;
}

/* Append len bytes of s to the config text; the buffer doubles, so the
 * whole text is copied in linear time. */
static void append_text_n(struct parse *p, const char *s, size_t len)
{
	if (p->text_len + len + 1 > p->text_cap) {
		size_t cap = p->text_cap ? p->text_cap : 4096;
		while (cap < p->text_len + len + 1)
			cap *= 2;
		char *t = realloc(p->cfg->text, cap);
		if (!t) {
			fprintf(stderr, "gemsoakd: out of memory reading the config\n");
			exit(GS_EXIT_CONFIG);
		}
		p->cfg->text = t;
		p->text_cap = cap;
	}
	memcpy(p->cfg->text + p->text_len, s, len);
	p->text_len += len;
	p->cfg->text[p->text_len] = '\0';
}

static void append_text(struct parse *p, const char *s)
{
	append_text_n(p, s, strlen(s));
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* inih's line source: one whole line of the file per call, so inih's line
 * numbers are the file's; count lines and record "[section]" headers. A
 * line that does not fit inih's buffer (num) is reported here as too long
 * and handed on as an empty line, so the lines after it are still read. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	if (p->buf >= p->end)
		return NULL;
	const char *nl = memchr(p->buf, '\n', (size_t)(p->end - p->buf));
	size_t len = nl ? (size_t)(nl - p->buf) + 1 : (size_t)(p->end - p->buf);
	const char *line = p->buf;
	p->buf += len;
	p->line++;
	append_text_n(p, line, len);
	if (len + 1 > (size_t)num) {
		size_t lead = strspn(line, " \t");
		/* A comment may be as long as it likes: inih need not see it. */
		if (line[lead] != '#' && line[lead] != ';') {
			problem(p, p->line, "line too long (%zu characters; at most %d)", len - (nl ? 1 : 0),
				num - 2);
			p->line_errors++;
		}
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	memcpy(str, line, len);
	str[len] = '\0';
	if (memchr(str, '\0', len)) {
		problem(p, p->line, "a NUL byte in the line");
		p->line_errors++;
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	char *s = trim(str);
	if (s[0] == '[') {
		char *close = strchr(s, ']');
		if (close) {
			size_t n = (size_t)(close - s - 1);
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), s + 1);
			p->sec = grow(p->sec, p->nsec, sizeof(*p->sec));
			p->sec[p->nsec].name = strdup(trim(name));
			p->sec[p->nsec].file = p->path;
			p->sec[p->nsec].line = p->line;
			p->nsec++;
		}
	}
	/* trim moved nothing inih needs: it trims again itself. */
	memcpy(str, line, len);
	str[len] = '\0';
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	if (p->nsec == 0 || !section[0]) {
		problem(p, p->line, "'%s' is outside any section ([daemon] or [workload NAME])", name);
		return 1;
	}
	p->ent = grow(p->ent, p->nent, sizeof(*p->ent));
	p->ent[p->nent] = (struct raw_entry){
		.section = (int)p->nsec - 1, .line = p->line,
		.key = strdup(name), .value = strdup(value),
	};
	p->nent++;
	return 1;
}

/* ---- validation ---- */

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= WL_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static bool copy_string(struct parse *p, const struct raw_entry *e, char *dst, size_t len)
{
	if (!*e->value)
		problem(p, e->line, "%s: empty value", e->key);
	else if (!fmt_ok(dst, len, "%s", e->value))
		problem(p, e->line, "%s: value too long (at most %zu characters)", e->key, len - 1);
	else
		return true;
	return false;
}

/* Append name to the list of names in buf ("a, b, c"), used bytes so far;
 * a name that does not fit is cut, later ones are dropped. */
static void list_add(char *buf, size_t len, size_t *used, const char *name)
{
	if (*used < len)
		*used += (size_t)snprintf(buf + *used, len - *used, "%s%s", *used ? ", " : "", name);
}

/* ---- [daemon] keys ---- */

enum daemon_key_kind {
	DK_STRING,     /* a path or name, at most the field's size - 1 */
	DK_DURATION,   /* ms from min to max */
	DK_MEMORY,     /* a size from min to max bytes, kept in kB; "auto" is -1 */
	DK_BOOL,
	DK_USER,       /* an account (daemon/privilege.h) */
	DK_PROBE,      /* a duration from min to max ms, "no" (0), "auto" or "yes" (-1) */
	DK_COUNT,      /* a number from min to max (a size's suffixes allowed: 64K) */
};

/* One [daemon] key: the shape of the workloads' wl_key, plus where in
 * struct gs_config its value goes and where the line that set it is kept
 * (for the checks across keys; -1: not kept). */
struct daemon_key {
	const char *name;
	enum daemon_key_kind kind;
	int64_t min, max;
	const char *help;      /* what a valid value is: "'VALUE' is not HELP" */
	size_t offset, size;   /* of the field */
	ptrdiff_t line;        /* offset of an int field, or -1 */
};

#define DK_FIELD(f) offsetof(struct gs_config, f), sizeof(((struct gs_config *)0)->f)
#define DK_LINE(f) (ptrdiff_t)offsetof(struct gs_config, f)

/* In the order the "known:" list of an unknown key names them. */
static const struct daemon_key daemon_keys[] = {
	{ "device", DK_STRING, 0, 0, NULL, DK_FIELD(device), DK_LINE(device_line) },
	{ "database", DK_STRING, 0, 0, NULL, DK_FIELD(database), -1 },
	{ "interval", DK_DURATION, 100, 86400000, "a duration from 100ms to 1d (e.g. 10s, 1m)",
	  DK_FIELD(interval_ms), -1 },
	{ "debugfs", DK_STRING, 0, 0, NULL, DK_FIELD(debugfs), -1 },
	{ "user", DK_USER, 0, 0, NULL, DK_FIELD(user), DK_LINE(user_line) },
	{ "restart_backoff", DK_DURATION, 10, 3600000, "a duration from 10ms to 1h",
	  DK_FIELD(backoff_ms), DK_LINE(backoff_line) },
	{ "restart_backoff_max", DK_DURATION, 10, 3600000, "a duration from 10ms to 1h",
	  DK_FIELD(backoff_max_ms), DK_LINE(backoff_line) },
	{ "trend_window", DK_DURATION, 1000, 86400000, "a duration from 1s to 1d (e.g. 5m)",
	  DK_FIELD(trend_window_ms), -1 },
	{ "retention", DK_DURATION, 60000, INT64_MAX / 2, "a duration of at least 1m (e.g. 7d)",
	  DK_FIELD(retention_ms), -1 },
	{ "quiesce", DK_BOOL, 0, 0, "yes or no", DK_FIELD(quiesce), -1 },
	{ "drop_caches", DK_BOOL, 0, 0, "yes or no", DK_FIELD(drop_caches), -1 },
	{ "progress", DK_DURATION, 0, 86400000, "a duration up to 1d (e.g. 1m; 0: never)",
	  DK_FIELD(progress_ms), -1 },
	{ "probe", DK_PROBE, 0, 86400000, "auto, no, or a duration up to 1d (e.g. 10m; 0: off)",
	  DK_FIELD(probe_ms), DK_LINE(probe_line) },
	{ "memory_floor", DK_MEMORY, 0, (int64_t)1 << 50,
	  "a size (e.g. 256M, 1G; 0 turns the guard off) or auto", DK_FIELD(memory_floor_kb), DK_LINE(memory_line) },
	{ "memory_resume", DK_MEMORY, 0, (int64_t)1 << 50,
	  "a size (e.g. 256M, 1G; 0 turns the guard off) or auto", DK_FIELD(memory_resume_kb), DK_LINE(memory_line) },
	{ "meminfo", DK_STRING, 0, 0, NULL, DK_FIELD(meminfo), -1 },
	{ "origins_objects", DK_COUNT, 0, 4194304, "a count from 0 (off) to 4M (e.g. 65536, 64K)",
	  DK_FIELD(origins_objects), -1 },
	{ NULL, DK_STRING, 0, 0, NULL, 0, 0, -1 },
};

bool config_daemon_changed(const struct gs_config *a, const struct gs_config *b, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct daemon_key *k = daemon_keys; k->name; k++) {
		const char *fa = (const char *)a + k->offset, *fb = (const char *)b + k->offset;
		bool same;
		if (k->kind == DK_STRING)
			same = strncmp(fa, fb, k->size) == 0;
		else if (k->kind == DK_USER)
			same = strcmp(((const struct gs_user *)fa)->name, ((const struct gs_user *)fb)->name) == 0;
		else
			same = memcmp(fa, fb, k->size) == 0;
		if (!same)
			list_add(buf, len, &used, k->name);
	}
	return used > 0;
}

/* Parse e's value as key k into its field; false (with the problem
 * reported) when it is not a valid value. */
static bool daemon_value(struct parse *p, const struct daemon_key *k, const struct raw_entry *e)
{
	char *field = (char *)p->cfg + k->offset;
	char why[256];
	int64_t bytes;
	bool ok = false;
	switch (k->kind) {
	case DK_STRING:
		return copy_string(p, e, field, k->size);
	case DK_USER:
		if (privilege_lookup(e->value, (struct gs_user *)field, why, sizeof(why)) == 0)
			return true;
		problem(p, e->line, "%s", why);
		return false;
	case DK_DURATION:
		ok = parse_duration_ms(e->value, k->min, k->max, (int64_t *)field);
		break;
	case DK_MEMORY:
		if ((ok = strcmp(e->value, "auto") == 0))
			*(int64_t *)field = -1;
		else if ((ok = parse_size(e->value, k->min, k->max, &bytes)))
			*(int64_t *)field = bytes / 1024;
		break;
	case DK_BOOL:
		ok = parse_bool(e->value, (bool *)field);
		break;
	case DK_PROBE: {
		bool on;
		if ((ok = strcmp(e->value, "auto") == 0))
			*(int64_t *)field = -1;
		else if ((ok = parse_bool(e->value, &on)))
			*(int64_t *)field = on ? -1 : 0;
		else
			ok = parse_duration_ms(e->value, k->min, k->max, (int64_t *)field);
		break;
	}
	case DK_COUNT:
		ok = parse_size(e->value, k->min, k->max, (int64_t *)field);
		break;
	}
	if (!ok)
		problem(p, e->line, "%s: '%s' is not %s", e->key, e->value, k->help);
	return ok;
}

static void daemon_key(struct parse *p, const struct raw_entry *e)
{
	for (const struct daemon_key *k = daemon_keys; k->name; k++) {
		if (strcmp(e->key, k->name) != 0)
			continue;
		if (daemon_value(p, k, e) && k->line >= 0)
			*(int *)((char *)p->cfg + k->line) = e->line;
		return;
	}
	char known[512] = "";
	size_t used = 0;
	for (const struct daemon_key *k = daemon_keys; k->name; k++)
		list_add(known, sizeof(known), &used, k->name);
	problem(p, e->line, "unknown key '%s' in [daemon] (known: %s)", e->key, known);
}

static void key_list(const struct wl_type *t, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; t->keys[i].name; i++)
		list_add(buf, len, &used, t->keys[i].name);
}

static void type_list(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct wl_type *const *t = wl_types(); *t; t++)
		list_add(buf, len, &used, (*t)->name);
}

static void string_value(struct parse *p, struct wl_config *w, int k, const struct raw_entry *e)
{
	const struct wl_key *key = &w->type->keys[k];
	const char *why = NULL;
	if (!fmt_ok(w->str[k], sizeof(w->str[k]), "%s", e->value))
		problem(p, e->line, "%s: value too long (at most %d characters)", key->name, WL_STR_MAX - 1);
	else if (w->type->check_str && (why = w->type->check_str(key->name, e->value)) != NULL)
		problem(p, e->line, "%s: '%s' %s", key->name, e->value, why);
}

static void workload_value(struct parse *p, struct wl_config *w, int k, const struct raw_entry *e)
{
	const struct wl_key *key = &w->type->keys[k];
	bool ok = false, b;
	switch (key->kind) {
	case WK_INT:
		ok = parse_int64(e->value, key->min, key->max, &w->val[k]);
		if (!ok)
			problem(p, e->line, "%s: '%s' is not an integer from %lld to %lld", key->name,
				e->value, (long long)key->min, (long long)key->max);
		break;
	case WK_SIZE:
		ok = parse_size(e->value, key->min, key->max, &w->val[k]);
		if (!ok)
			problem(p, e->line, "%s: '%s' is not a size from %lld to %lld bytes (e.g. 4096, 64K, 2M)",
				key->name, e->value, (long long)key->min, (long long)key->max);
		break;
	case WK_DURATION:
		ok = parse_duration_ms(e->value, key->min, key->max, &w->val[k]);
		if (!ok)
			problem(p, e->line, "%s: '%s' is not a duration (e.g. 30s, 5m, 2h, 1d)", key->name,
				e->value);
		break;
	case WK_RATE:
		ok = parse_milli(e->value, key->min, key->max, &w->val[k]);
		if (!ok) {
			char lo[32], hi[32];
			problem(p, e->line, "%s: '%s' is not a number of cycles/s from %s to %s, to three decimals"
				" (e.g. 100, 2.5, 0.05)", key->name, e->value, fmt_milli(key->min, lo, sizeof(lo)),
				fmt_milli(key->max, hi, sizeof(hi)));
		}
		break;
	case WK_BOOL:
		ok = parse_bool(e->value, &b);
		if (ok)
			w->val[k] = b;
		else
			problem(p, e->line, "%s: '%s' is not yes or no", key->name, e->value);
		break;
	case WK_STRING:
		string_value(p, w, k, e);
		break;
	}
}

/* One warning per section, at the first key it sets that its type keeps
 * only for old configs. */
static void moved_keys(struct parse *p, int s, const struct wl_config *w)
{
	const struct wl_type *t = w->type;
	for (size_t i = 0; t->moved_keys && i < p->nent; i++) {
		const struct raw_entry *e = &p->ent[i];
		if (e->section != s)
			continue;
		for (const char *const *k = t->moved_keys; *k; k++) {
			if (strcmp(e->key, *k) != 0)
				continue;
			warning(p, e->line, "%s with %s is deprecated: use type = %s", t->name, e->key,
				t->moved_to);
			return;
		}
	}
}

static void workload_section(struct parse *p, int s, const char *name)
{
	const struct raw_section *sec = &p->sec[s];
	if (!valid_name(name)) {
		problem(p, sec->line, "workload name '%s' must be 1-%d letters, digits, '-', '_' or '.'",
			name, WL_NAME_MAX - 1);
		return;
	}
	struct gs_config *c = p->cfg;
	for (size_t i = 0; i < c->nworkloads; i++) {
		const struct wl_config *o = &c->workloads[i];
		if (strcmp(o->name, name) != 0)
			continue;
		if (strcmp(o->file, sec->file) == 0)
			problem(p, sec->line, "[workload %s] is defined twice (also at line %d)", name, o->line);
		else
			problem(p, sec->line, "[workload %s] is already defined at %s:%d", name, o->file,
				o->line);
		return;
	}
	/* The type is `type =`, set once, or else the section's own name. */
	const char *type_name = name;
	int type_line = sec->line;
	bool typed = false;
	for (size_t i = 0; i < p->nent; i++) {
		if (p->ent[i].section != s || strcmp(p->ent[i].key, "type") != 0)
			continue;
		if (typed) {
			problem(p, p->ent[i].line, "type: set twice in [workload %s] (also at line %d)", name,
				type_line);
			return;
		}
		typed = true;
		type_name = p->ent[i].value;
		type_line = p->ent[i].line;
	}
	const struct wl_type *t = wl_type_find(type_name);
	if (!t) {
		char known[256];
		type_list(known, sizeof(known));
		problem(p, type_line, "unknown workload type '%s' (known: %s)", type_name, known);
		return;
	}
	c->workloads = grow(c->workloads, c->nworkloads, sizeof(*c->workloads));
	struct wl_config *w = &c->workloads[c->nworkloads++];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	snprintf(w->file, sizeof(w->file), "%s", p->path);
	w->line = sec->line;
	w->type = t;
	for (int k = 0; t->keys[k].name; k++)
		w->val[k] = t->keys[k].def;
	bool seen[WL_MAX_KEYS] = { false };
	for (size_t i = 0; i < p->nent; i++) {
		const struct raw_entry *e = &p->ent[i];
		if (e->section != s || strcmp(e->key, "type") == 0)
			continue;
		int k = wl_key_index(t, e->key);
		if (k < 0) {
			char keys[512];
			key_list(t, keys, sizeof(keys));
			problem(p, e->line, "unknown key '%s' for workload type %s (known: type, %s)", e->key,
				t->name, keys);
		} else if (seen[k]) {
			problem(p, e->line, "%s: set twice in [workload %s]", e->key, name);
		} else {
			seen[k] = true;
			workload_value(p, w, k, e);
		}
	}
	moved_keys(p, s, w);
	const char *why = t->check ? t->check(w) : NULL;
	if (why)
		problem(p, sec->line, "[workload %s]: %s", name, why);
}

static void validate(struct parse *p)
{
	const struct raw_section *first = NULL;
	for (size_t s = 0; s < p->nsec; s++) {
		const char *name = p->sec[s].name;
		p->path = p->sec[s].file;
		if (strcmp(name, "daemon") == 0) {
			if (first && first->file == p->path)
				problem(p, p->sec[s].line, "[daemon] appears twice");
			else if (first)
				problem(p, p->sec[s].line, "[daemon] appears twice (first at %s:%d)",
					first->file, first->line);
			first = &p->sec[s];
			for (size_t i = 0; i < p->nent; i++)
				if (p->ent[i].section == (int)s)
					daemon_key(p, &p->ent[i]);
			if (p->cfg->backoff_ms > p->cfg->backoff_max_ms)
				problem(p, p->cfg->backoff_line, "restart_backoff is longer than restart_backoff_max");
			if (p->cfg->memory_floor_kb > 0 && p->cfg->memory_resume_kb >= 0 &&
			    p->cfg->memory_resume_kb <= p->cfg->memory_floor_kb)
				problem(p, p->cfg->memory_line, "memory_resume must be above memory_floor");
			/* A pause must hold samples of its own, away from its edges. */
			if (p->cfg->probe_ms > 0 && p->cfg->probe_ms < 3 * p->cfg->interval_ms)
				problem(p, p->cfg->probe_line, "probe (%lld ms) is shorter than 3 intervals (%lld ms):"
					" a pause would hold no sample of its own", (long long)p->cfg->probe_ms,
					(long long)(3 * p->cfg->interval_ms));
		} else if (strncmp(name, "workload", 8) == 0 && isspace((unsigned char)name[8])) {
			char wname[128];
			snprintf(wname, sizeof(wname), "%s", name + 9);
			workload_section(p, (int)s, trim(wname));
		} else {
			problem(p, p->sec[s].line, "unknown section [%s] (expected [daemon] or [workload NAME])",
				name);
		}
	}
	/* Each workload's keys are bounded, but not their sum. */
	int64_t procs = 0;
	for (size_t i = 0; i < p->cfg->nworkloads && !p->errors; i++) {
		const struct wl_config *w = &p->cfg->workloads[i];
		procs += w->type->nprocs(w);
		if (procs > GS_MAX_PROCESSES) {
			p->path = w->file;
			problem(p, w->line, "[workload %s] brings the worker processes to %lld; at most %d in all",
				w->name, (long long)procs, GS_MAX_PROCESSES);
		}
	}
}

static void free_parse(struct parse *p)
{
	for (size_t i = 0; i < p->nsec; i++)
		free(p->sec[i].name);
	for (size_t i = 0; i < p->nent; i++) {
		free(p->ent[i].key);
		free(p->ent[i].value);
	}
	free(p->sec);
	free(p->ent);
}

/* Hand one file to inih; the sections it opens are added to p. */
static void parse_file(struct parse *p, const char *path, bool first)
{
	p->path = path;
	p->line = 0;
	size_t len;
	char *text = read_file_limit(path, GS_CONFIG_MAX_BYTES, &len);
	if (!text) {
		char why[96];
		if (errno == EFBIG)
			problem(p, 0, "cannot read config: larger than %u KiB", GS_CONFIG_MAX_BYTES >> 10);
		else
			problem(p, 0, "cannot read config: %s", read_error(errno, why, sizeof(why)));
		return;
	}
	p->buf = text;
	p->end = text + len;
	if (!first) {
		append_text(p, "\n# ");
		append_text(p, path);
		append_text(p, "\n");
	}
	int syntax = ini_parse_stream(reader, p, handler, p);
	free(text);
	if (syntax > 0)
		problem(p, syntax, "syntax error: expected 'key = value', a [section] or a comment");
	else if (syntax < 0)
		problem(p, 0, "cannot parse config (out of memory)");
}

int config_load_files(const char *const *paths, size_t npaths, struct gs_config *cfg, FILE *errs)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", paths[0]);
	snprintf(cfg->device, sizeof(cfg->device), "auto");
	snprintf(cfg->database, sizeof(cfg->database), "%s", GS_DEFAULT_DATABASE);
	snprintf(cfg->debugfs, sizeof(cfg->debugfs), "/sys/kernel/debug");
	cfg->interval_ms = 10000;
	cfg->backoff_ms = GS_DEFAULT_BACKOFF_MS;
	cfg->backoff_max_ms = GS_DEFAULT_BACKOFF_MAX_MS;
	cfg->trend_window_ms = 300000;
	cfg->retention_ms = 7LL * 86400000;
	cfg->progress_ms = 60000;
	cfg->memory_floor_kb = cfg->memory_resume_kb = -1;
	cfg->probe_ms = -1;
	snprintf(cfg->meminfo, sizeof(cfg->meminfo), "/proc/meminfo");
	cfg->origins_objects = GS_DEFAULT_ORIGINS_OBJECTS;

	struct parse p = { .errs = errs, .cfg = cfg };
	append_text(&p, "");
	for (size_t i = 0; i < npaths; i++)
		parse_file(&p, paths[i], i == 0);
	/* A skipped line leaves the others as they are: check them too, so
	 * one run names every problem. */
	if (p.errors == p.line_errors)
		validate(&p);
	free_parse(&p);
	return p.errors;
}

int config_load(const char *path, struct gs_config *cfg, FILE *errs)
{
	return config_load_files(&path, 1, cfg, errs);
}

void config_free(struct gs_config *cfg)
{
	free(cfg->workloads);
	free(cfg->text);
	memset(cfg, 0, sizeof(*cfg));
}
