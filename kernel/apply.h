/* Applying the missing fixes of the series to a git kernel tree. */
#ifndef GS_KERNEL_APPLY_H
#define GS_KERNEL_APPLY_H

#include <stdbool.h>
#include <stdio.h>

#include "kernel/detect.h"
#include "kernel/series.h"

struct gs_apply_opts {
	const char *upstream;   /* a clone with the upstream commits, or NULL */
	bool dry_run;           /* say what would be done, change nothing */
	FILE *out;              /* the report */
};

/* Apply each missing fix in series order: cherry-pick -x when the tree's
 * repository has the commit, else format-patch from UPSTREAM and am -3,
 * else am -3 of the fix's patch file. Returns 0 when every fix is present
 * afterwards, 1 when some stay missing, 2 on an error or a conflict (the
 * tree is then back at the HEAD it started from). */
int gs_apply_series(const struct gs_tree *t, const struct gs_series *s,
		    const struct gs_apply_opts *o);

#endif
