/* Default paths (common/defaults.h). The config is read with libinih for
 * its one [daemon] database key only; everything else in it is the
 * daemon's business (daemon/config.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

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

int gs_default_database(const char *config, char *out, size_t len)
{
	struct db_key k = { out, len, 1 };
	if (!fmt_ok(out, len, "%s", GS_DEFAULT_DATABASE))
		return -1;
	/* open_regular: a FIFO or a device at the path must not hang us. */
	int fd = open_regular(config ? config : GS_DEFAULT_CONFIG);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	ini_parse_file(f, database_key, &k);
	fclose(f);
	if (!k.fits) {
		snprintf(out, len, "%s", GS_DEFAULT_DATABASE);
		return -1;
	}
	return 0;
}
