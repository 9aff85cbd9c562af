/* Which fixes of the series a kernel has: from a source tree (git history,
 * source signatures, the Makefile's version) or from a running release. */
#ifndef GS_KERNEL_DETECT_H
#define GS_KERNEL_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/series.h"

enum gs_fix_state { FIX_PRESENT, FIX_MISSING, FIX_UNKNOWN };

struct gs_verdict {
	enum gs_fix_state state;
	char how[640];   /* what decided it, for a person and a bug report */
};

struct gs_tree {
	const char *dir;
	bool git;                      /* DIR is the top of a git work tree */
	bool has_version;              /* from DIR/Makefile */
	int major, minor, sub;
};

/* Look at DIR: is it a kernel tree (or the drm part of one)? -1 with a
 * message when DIR is not a directory. */
int gs_tree_open(const char *dir, struct gs_tree *t, char *err, size_t errlen);

void gs_detect_in_tree(const struct gs_tree *t, const struct gs_fix *f, struct gs_verdict *v);

/* From a kernel release string such as uname -r's "6.1.0-56-amd64". */
void gs_detect_by_release(const char *release, const struct gs_fix *f, struct gs_verdict *v);

/* Does TEXT (pieces separated by " ... ", in order) occur in BODY? */
bool gs_sig_text_matches(const char *body, size_t len, const char *text);
/* The body of C function FUNC in SRC (kernel style: the definition starts
 * at column 0, "{" and "}" alone at column 0). NULL when not defined. */
const char *gs_c_function_body(const char *src, const char *func, size_t *len);

const char *gs_fix_state_name(enum gs_fix_state s);

#endif
