/* The kernel fix series: the upstream fixes gemsoak knows, read from a plain
 * text file (kernel/series; its format is in kernel/README.md). */
#ifndef GS_KERNEL_SERIES_H
#define GS_KERNEL_SERIES_H

#include <stddef.h>

/* One way to recognise a fix in a source tree: TEXT (pieces separated by
 * " ... " must appear in that order) inside FUNC of PATH, or anywhere in
 * PATH when FUNC is NULL ("-" in the file). */
struct gs_sig {
	char *path;
	char *func;
	char *text;
	int line;
};

struct gs_fix {
	char *name;
	char commit[41];
	char *subject;
	int rel_major, rel_minor;   /* first mainline release vMAJOR.MINOR */
	char **files;
	size_t n_files;
	char **requires;            /* names of earlier fixes in the series */
	size_t n_requires;
	char *workload;             /* the gemsoak workload that exercises it */
	char *patch;                /* patch file, resolved against the series' dir; or NULL */
	char *probe;                /* behavioural probe (kernel/probe.h), or NULL */
	int probe_line;
	struct gs_sig *sigs;        /* alternatives: any one match means present */
	size_t n_sigs;
	int line;                   /* where its "fix" line is */
};

struct gs_series {
	char *path;
	struct gs_fix *fixes;
	size_t n;
};

/* Parse series TEXT read from PATH (PATH names errors and anchors "patch"
 * files). On error returns -1 with "PATH:LINE: message" in err. */
int gs_series_parse(const char *text, const char *path, struct gs_series *s,
		    char *err, size_t errlen);
/* Read and parse the file PATH. */
int gs_series_load(const char *path, struct gs_series *s, char *err, size_t errlen);
void gs_series_free(struct gs_series *s);
const struct gs_fix *gs_series_find(const struct gs_series *s, const char *name);


/* The series to use when none is given: next to the binary in a build
 * tree (build/../kernel/series), else the installed copy in GS_DATADIR. */
void gs_series_default_path(char *buf, size_t len);

#endif
