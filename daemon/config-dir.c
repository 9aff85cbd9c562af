/* Drop-ins: the main config file, then DIR/conf.d/NAME.conf next to it, so a
 * package or an admin adds a workload by adding a file. Sorted by name in
 * byte order (10-x.conf before 20-y.conf); hidden files are skipped. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"

static int is_dropin(const struct dirent *d)
{
	size_t len = strlen(d->d_name);
	return d->d_name[0] != '.' && len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int config_load_dir(const char *path, struct gs_config *cfg, FILE *errs)
{
	char *copy = strdup(path);
	char dir[1024];
	if (!copy)
		return config_load(path, cfg, errs);
	snprintf(dir, sizeof(dir), "%s/conf.d", dirname(copy));
	free(copy);

	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, is_dropin, by_name);
	if (n < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			memset(cfg, 0, sizeof(*cfg));
			fprintf(errs, "%s:0: cannot read the drop-in directory: %s\n", dir, strerror(errno));
			return 1;
		}
		n = 0;
	}
	const char **paths = calloc((size_t)n + 1, sizeof(*paths));
	char **owned = calloc((size_t)n + 1, sizeof(*owned));
	int problems;
	if (!paths || !owned) {
		memset(cfg, 0, sizeof(*cfg));
		fprintf(errs, "%s:0: out of memory\n", path);
		problems = 1;
		goto out;
	}
	paths[0] = path;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(ents[i]->d_name) + 2;
		owned[i] = malloc(len);
		if (!owned[i]) {
			memset(cfg, 0, sizeof(*cfg));
			fprintf(errs, "%s:0: out of memory\n", path);
			problems = 1;
			goto out;
		}
		snprintf(owned[i], len, "%s/%s", dir, ents[i]->d_name);
		paths[i + 1] = owned[i];
	}
	problems = config_load_files(paths, (size_t)n + 1, cfg, errs);
out:
	for (int i = 0; i < n; i++) {
		free(ents[i]);
		if (owned)
			free(owned[i]);
	}
	free(ents);
	free(paths);
	free(owned);
	return problems;
}
