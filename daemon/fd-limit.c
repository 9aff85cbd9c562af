#include <dirent.h>
#include <stdio.h>
#include <sys/resource.h>

#include "daemon/fd-limit.h"

bool fd_limit_low(char *msg, size_t len)
{
	struct rlimit rl;
	DIR *d = opendir("/proc/self/fd");
	if (getrlimit(RLIMIT_NOFILE, &rl) || !d) {
		if (d)
			closedir(d);
		return false;
	}
	long long open_fds = -1; /* the directory's own fd is not the daemon's */
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			open_fds++;
	closedir(d);
	long long soft = rl.rlim_cur == RLIM_INFINITY ? -1 : (long long)rl.rlim_cur;
	if (soft < 0 || soft - open_fds >= GS_FD_HEADROOM)
		return false;
	snprintf(msg, len, "RLIMIT_NOFILE %lld leaves %lld of them free beside the daemon's %lld open fds "
		 "(it wants %d free for workload starts and sampling): starts may fail; raise the limit "
		 "(LimitNOFILE= in the unit)", soft, soft - open_fds, open_fds, GS_FD_HEADROOM);
	return true;
}
