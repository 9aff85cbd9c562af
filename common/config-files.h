/* Which files a config is: the main file, then DIR/conf.d/NAME.conf
 * (DIR = the main file's directory) in byte order of their names, hidden
 * files skipped. Shared by the daemon (daemon/config-dir.c) and the CLI
 * (common/defaults.c), so both read the same files. Bounded, so that
 * drop-ins cannot make a config of hundreds of megabytes. */
#ifndef GS_CONFIG_FILES_H
#define GS_CONFIG_FILES_H

#include <stddef.h>

#define GS_CONFIG_MAX_DROPINS 128          /* drop-in files in conf.d */
#define GS_CONFIG_MAX_TOTAL_BYTES (2u << 20) /* the main file and its drop-ins together */

/* The files of the config at path: *paths gets a malloc'd array of
 * malloc'd paths (config_files_free), the main file first. Returns their
 * count (at least 1), or -1 with why in "FILE:0: message" form, naming
 * the file: the conf.d directory cannot be read, a drop-in beyond
 * GS_CONFIG_MAX_DROPINS, the file with which the files' sizes together
 * pass GS_CONFIG_MAX_TOTAL_BYTES, or no memory. */
int config_files(const char *path, char ***paths, char *why, size_t whylen);
void config_files_free(char **paths, int n);

#endif
