/* Which files a config is: the main file, then DIR/conf.d/NAME.conf
 * (DIR = the main file's directory) in byte order of their names, hidden
 * files skipped. Shared by the daemon (daemon/config-dir.c) and the CLI
 * (common/defaults.c), so both read the same files. */
#ifndef GS_CONFIG_FILES_H
#define GS_CONFIG_FILES_H

#include <stddef.h>

/* The files of the config at path: *paths gets a malloc'd array of
 * malloc'd paths (config_files_free), the main file first. Returns their
 * count (at least 1), or -1 with why in "FILE:0: message" form, naming
 * the file: the conf.d directory cannot be read, or no memory. */
int config_files(const char *path, char ***paths, char *why, size_t whylen);
void config_files_free(char **paths, int n);

#endif
