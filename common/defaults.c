/* Default paths (common/defaults.h). The config, with its drop-ins as the
 * daemon reads them (common/config-files.c), is read with libinih for its
 * one [daemon] database key only; everything else in it is the daemon's
 * business (daemon/config.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "common/config-files.h"
#include "common/defaults.h"
#include "common/util.h"

struct db_key {
	char *out;
	size_t len;
	int fits;
};

static int database_key(void *ctx, const char *section, const char *name, const char *value)
{
	struct db_key *k = ctx;
	if (strcmp(section, "daemon") == 0 && strcmp(name, "database") == 0 && value[0])
		k->fits = fmt_ok(k->out, k->len, "%s", value);
	return 1; /* go on: a later key wins, and syntax is not ours to judge */
}

/* The [daemon] database keys of one file into k; a missing or odd file
 * is none. */
static void read_keys(const char *path, struct db_key *k)
{
	/* open_regular: a FIFO or a device at the path must not hang us. */
	int fd = open_regular(path);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	ini_parse_file(f, database_key, k);
	fclose(f);
}

int gs_default_database(const char *config, char *out, size_t len)
{
	struct db_key k = { out, len, 1 };
	if (!fmt_ok(out, len, "%s", GS_DEFAULT_DATABASE))
		return -1;
	const char *main_file = config ? config : GS_DEFAULT_CONFIG;
	char **paths, why[1400];
	int n = config_files(main_file, &paths, why, sizeof(why));
	if (n < 0) {
		read_keys(main_file, &k); /* the daemon refuses such a config, and says why */
	} else {
		for (int i = 0; i < n; i++)
			read_keys(paths[i], &k);
		config_files_free(paths, n);
	}
	if (!k.fits) {
		snprintf(out, len, "%s", GS_DEFAULT_DATABASE);
		return -1;
	}
	return 0;
}
