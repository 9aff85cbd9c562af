/* The database path's safety (contract in db/db-path.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db-path.h"

/* One existing file: 0 when it is ours to open, else -1 with why. */
static int check_file(const char *path, const struct stat *st, char *why, size_t whylen)
{
	uid_t me = geteuid();
	if (S_ISLNK(st->st_mode))
		snprintf(why, whylen, "%s is a symbolic link: not followed (give the path of a file in a directory"
			 " only its owner can write)", path);
	else if (!S_ISREG(st->st_mode))
		snprintf(why, whylen, "%s is not a regular file", path);
	else if (st->st_uid != me && st->st_uid != 0)
		snprintf(why, whylen, "%s is owned by uid %u, neither the daemon's user (uid %u) nor root: another"
			 " user's file is not opened", path, (unsigned)st->st_uid, (unsigned)me);
	else if (st->st_nlink > 1)
		snprintf(why, whylen, "%s has %lu hard links: another name of it may be another user's", path,
			 (unsigned long)st->st_nlink);
	else
		return 0;
	return -1;
}

static int check_dir(const char *path, char *why, size_t whylen)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	const char *dir = dirname(copy);
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	uid_t me = geteuid();
	if (st.st_uid != me && st.st_uid != 0)
		snprintf(why, whylen, "the directory %s of %s is owned by uid %u, who could replace the database"
			 " with a link", dir, path, (unsigned)st.st_uid);
	else if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		snprintf(why, whylen, "the directory %s of %s is writable by every user and not sticky: another"
			 " user could replace the database with a link", dir, path);
	else
		return 0;
	return -1;
}

int db_path_check(const char *path, char *why, size_t whylen)
{
	if (check_dir(path, why, whylen))
		return -1;
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		struct stat st;
		if (lstat(p, &st) == 0) {
			if (check_file(p, &st, why, whylen))
				return -1;
		} else if (errno != ENOENT) {
			snprintf(why, whylen, "%s: %s", p, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int db_path_create(const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(why, whylen, "%s: %s", path, errno == ELOOP ? "is a symbolic link: not followed" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return check_file(path, &st, why, whylen);
}
