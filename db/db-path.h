/* Whether a database path is safe to open as the daemon's user (root, on
 * a shared machine): no symbolic link followed in its last component, no
 * file another user planted, no directory another user can swap it in. */
#ifndef GS_DB_PATH_H
#define GS_DB_PATH_H

#include <stddef.h>

/* Check the database at path, its -wal and -shm files and its directory:
 * each file that exists must be a regular file (not a symbolic link),
 * with one link, owned by the effective user or root; the directory must
 * be owned by the effective user or root and not writable by others
 * unless sticky (a sticky directory keeps others from replacing what is
 * ours). Creates nothing. Returns 0, or -1 with why naming the file and
 * what is wrong. */
int db_path_check(const char *path, char *why, size_t whylen);

/* Create the database if missing, never through a link planted since the
 * check (O_NOFOLLOW), so that the file SQLite opens is ours; an existing
 * one is checked again as it is open. Returns 0, or -1 with why. */
int db_path_create(const char *path, char *why, size_t whylen);

#endif
