/* The files of a config (contract in common/config-files.h). */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/config-files.h"

static int is_dropin(const struct dirent *d)
{
	size_t len = strlen(d->d_name);
	return d->d_name[0] != '.' && len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

void config_files_free(char **paths, int n)
{
	for (int i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

/* The size a file adds to the config: a regular file's; anything else is
 * the reader's to refuse. */
static unsigned long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
}

int config_files(const char *path, char ***out, char *why, size_t whylen)
{
	*out = NULL;
	char *copy = strdup(path);
	char dir[1024];
	if (!copy) {
		snprintf(why, whylen, "%s:0: out of memory", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/conf.d", dirname(copy));
	free(copy);
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, is_dropin, by_name);
	if (n < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			snprintf(why, whylen, "%s:0: cannot read the drop-in directory: %s", dir, strerror(errno));
			return -1;
		}
		n = 0;
	}
	char **paths = calloc((size_t)n + 1, sizeof(*paths));
	int count = 0, r = 0;
	if (!paths || !(paths[count++] = strdup(path))) {
		snprintf(why, whylen, "%s:0: out of memory", path);
		r = -1;
	}
	unsigned long long total = r ? 0 : file_size(path);
	for (int i = 0; i < n && r == 0; i++) {
		size_t len = strlen(dir) + strlen(ents[i]->d_name) + 2;
		char *p = malloc(len);
		if (!p) {
			snprintf(why, whylen, "%s:0: out of memory", path);
			r = -1;
			break;
		}
		snprintf(p, len, "%s/%s", dir, ents[i]->d_name);
		paths[count++] = p;
		total += file_size(p);
		if (i >= GS_CONFIG_MAX_DROPINS) {
			snprintf(why, whylen, "%s:0: more than %d drop-in files in %s: this one and those after it are"
				 " refused", p, GS_CONFIG_MAX_DROPINS, dir);
			r = -1;
		} else if (total > GS_CONFIG_MAX_TOTAL_BYTES) {
			snprintf(why, whylen, "%s:0: the config's files pass %u KiB together with this one (%llu KiB"
				 " so far)", p, GS_CONFIG_MAX_TOTAL_BYTES >> 10, total >> 10);
			r = -1;
		}
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (r) {
		config_files_free(paths, count);
		return -1;
	}
	*out = paths;
	return count;
}
