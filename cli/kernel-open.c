/* Shared start of `gemsoak kernel check` and `gemsoak kernel apply`. */
#include <stdio.h>

#include "cli/cmd.h"
#include "cli/kernel-open.h"

int kernel_open(const char *who, const char *series, const char *tree,
		struct gs_series *s, struct gs_tree *t, char *used, size_t len)
{
	char err[1024];
	if (series)
		snprintf(used, len, "%s", series);
	else
		gs_series_default_path(used, len);
	if (gs_series_load(used, s, err, sizeof(err)) < 0) {
		fprintf(stderr, "gemsoak %s: %s\n", who, err);
		return CMD_ERROR;
	}
	if (tree && gs_tree_open(tree, t, err, sizeof(err)) < 0) {
		fprintf(stderr, "gemsoak %s: %s\n", who, err);
		gs_series_free(s);
		return CMD_ERROR;
	}
	return CMD_OK;
}
