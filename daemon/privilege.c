#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fork-clean.h"
#include "common/util.h"
#include "daemon/privilege.h"

int privilege_lookup(const char *name, struct gs_user *u, char *err, size_t errlen)
{
	errno = 0;
	struct passwd *pw = getpwnam(name);
	if (!pw) {
		snprintf(err, errlen, "user '%s': %s", name, errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (!fmt_ok(u->name, sizeof(u->name), "%s", name)) {
		snprintf(err, errlen, "user '%s': name too long", name);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

int privilege_drop(const struct gs_user *u)
{
	if (!u->name[0])
		return 0;
	/* Groups first: once the uid is gone, so is the right to set them. */
	if (initgroups(u->name, u->gid) || setgid(u->gid) || setuid(u->uid))
		return -errno;
	/* Irrevocable: a worker must not be able to get root back. */
	if (u->uid != 0 && setuid(0) == 0)
		return -EPERM;
	return 0;
}

int privilege_probe(const struct gs_user *u)
{
	if (!u->name[0])
		return 0;
	pid_t pid = fork_clean();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(-privilege_drop(u) & 0xff);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}
