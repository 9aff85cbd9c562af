/* The database's lock holder (cli/daemon-state.h). An OFD lock carries no
 * pid (F_OFD_GETLK says -1), so the holder is found as the process with a
 * descriptor of the file whose fdinfo lists an OFD write lock. Workers
 * forked by the daemon may share that descriptor: the holder is the one
 * whose parent is not among them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/daemon-state.h"
#include "db/store.h"

/* Whether /proc/PID/fdinfo/FD lists an OFD write lock. */
static bool fd_has_ofd_lock(const char *pid, const char *fd)
{
	char path[600], line[256];
	snprintf(path, sizeof(path), "/proc/%.255s/fdinfo/%.255s", pid, fd);
	FILE *f = fopen(path, "re");
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strncmp(line, "lock:", 5) == 0 && strstr(line, "OFDLCK") && strstr(line, "WRITE");
	if (f)
		fclose(f);
	return found;
}

/* Whether process PID has a descriptor of the file (dev, ino) with the lock. */
static bool holds_lock(const char *pid, dev_t dev, ino_t ino)
{
	char path[300];
	snprintf(path, sizeof(path), "/proc/%.255s/fd", pid);
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool found = false;
	while (!found && (e = readdir(d))) {
		struct stat sb;
		char fdpath[600];
		if (e->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, e->d_name);
		found = stat(fdpath, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino &&
			fd_has_ofd_lock(pid, e->d_name);
	}
	closedir(d);
	return found;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	/* "PID (COMM) STATE PPID ...": COMM may hold spaces and ')'. */
	char *p = strrchr(buf, ')');
	int ppid = 0;
	return p && sscanf(p + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : 0;
}

void daemon_lock_probe(const char *path, struct daemon_lock *l)
{
	memset(l, 0, sizeof(*l));
	l->held = store_lock_held(path);
	l->errno_ = l->held < 0 ? errno : 0;
	struct stat sb;
	if (l->held != 1 || stat(path, &sb) != 0)
		return;
	DIR *proc = opendir("/proc");
	pid_t found[64];
	size_t n = 0;
	struct dirent *e;
	while (proc && n < sizeof(found) / sizeof(found[0]) && (e = readdir(proc)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && holds_lock(e->d_name, sb.st_dev, sb.st_ino))
			found[n++] = (pid_t)atoi(e->d_name);
	if (proc)
		closedir(proc);
	for (size_t i = 0; i < n && !l->pid; i++) {
		pid_t parent = parent_of(found[i]);
		bool child = false;
		for (size_t j = 0; j < n; j++)
			child |= found[j] == parent;
		if (!child)
			l->pid = found[i];
	}
}
