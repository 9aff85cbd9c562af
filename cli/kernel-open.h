/* What both `gemsoak kernel` commands do first: load the fix series and
 * open the kernel tree, with messages that name the command. */
#ifndef GS_CLI_KERNEL_OPEN_H
#define GS_CLI_KERNEL_OPEN_H

#include <stddef.h>

#include "kernel/detect.h"
#include "kernel/series.h"

/* Load SERIES (the default series when NULL; the path used goes to
 * used[len]) and, when TREE is not NULL, open it into *t. Returns CMD_OK,
 * or CMD_ERROR after a message "gemsoak WHO: ..." (nothing to free then). */
int kernel_open(const char *who, const char *series, const char *tree,
		struct gs_series *s, struct gs_tree *t, char *used, size_t len);

#endif
