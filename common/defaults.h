/* Where gemsoak's files are when nothing says otherwise: shared by the
 * daemon and the CLI, so the CLI finds the daemon's database without
 * linking the daemon's config reader. */
#ifndef GS_DEFAULTS_H
#define GS_DEFAULTS_H

#include <stddef.h>

#define GS_DEFAULT_CONFIG "/etc/gemsoak/gemsoak.conf"
#define GS_DEFAULT_DATABASE "/var/lib/gemsoak/gemsoak.db"

/* The database a daemon started with CONFIG (GS_DEFAULT_CONFIG when NULL)
 * would use: the last `database =` of a [daemon] section in CONFIG and its
 * drop-ins, read in the daemon's order (common/config-files.h), else
 * GS_DEFAULT_DATABASE (also when the file is missing or unreadable; the
 * daemon, not this, reports a bad config). Written to out[len]; 0, or -1
 * when the path does not fit (out holds GS_DEFAULT_DATABASE then). */
int gs_default_database(const char *config, char *out, size_t len);

#endif
