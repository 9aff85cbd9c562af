/* Drop-ins: the main file, then DIR/conf.d/NAME.conf next to it, so a
 * package or an admin adds a workload by adding a file. Which files, in
 * which order and how many: common/config-files.c, shared with the CLI. */
#include <string.h>

#include "common/config-files.h"
#include "daemon/config.h"

int config_load_dir(const char *path, struct gs_config *cfg, FILE *errs)
{
	char **paths, why[1400];
	int n = config_files(path, &paths, why, sizeof(why));
	if (n < 0) {
		memset(cfg, 0, sizeof(*cfg));
		fprintf(errs, "%s\n", why);
		return 1;
	}
	int problems = config_load_files((const char *const *)paths, (size_t)n, cfg, errs);
	config_files_free(paths, n);
	return problems;
}
