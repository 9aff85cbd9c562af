/* debugfs and procfs files are kept open between sampling rounds and read
 * again from offset 0. Their seq_file then keeps the buffer it grew to the
 * file's size; a new open starts from one page and the kernel formats the
 * whole file again at each doubling, which for gem_names with 10,000
 * names is more than twice the work of one pass. Files elsewhere (copies,
 * fixtures, the kernel model's snapshots replaced by rename) are opened
 * afresh every time, so a kept descriptor never shows stale content. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/util.h"
#include "sources/proc-walk.h"
#include "sources/sources.h"

#define KEPT_MAX 32
#define DEBUGFS_MAGIC_ 0x64626720
#define PROC_SUPER_MAGIC_ 0x9fa0

static struct kept {
	char path[256];
	int fd;
} kept[KEPT_MAX];
static int nkept;

static bool seq_file_fs(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && (sf.f_type == DEBUGFS_MAGIC_ || sf.f_type == PROC_SUPER_MAGIC_);
}

static void forget(int i)
{
	close(kept[i].fd);
	kept[i] = kept[--nkept];
}

/* Read the kept file from its start; NULL (and forgotten) when it fails,
 * e.g. EIO once debugfs removed it with its device. */
static char *reread(int i)
{
	char *text = NULL;
	if (lseek(kept[i].fd, 0, SEEK_SET) == 0)
		text = read_text_fd(kept[i].fd, NULL);
	if (!text)
		forget(i);
	return text;
}

char *kept_file_read(const char *path)
{
	for (int i = 0; i < nkept; i++)
		if (strcmp(kept[i].path, path) == 0) {
			char *text = reread(i);
			if (text)
				return text;
			break; /* open it again: the device may be back */
		}
	int fd = open_regular(path);
	if (fd < 0)
		return NULL;
	char *text = read_text_fd(fd, NULL);
	int e = errno;
	if (text && nkept < KEPT_MAX && strlen(path) < sizeof(kept[0].path) && seq_file_fs(fd)) {
		snprintf(kept[nkept].path, sizeof(kept[0].path), "%s", path);
		kept[nkept++].fd = fd;
	} else {
		close(fd);
	}
	errno = e;
	return text;
}

void kept_files_close(void)
{
	while (nkept > 0)
		forget(nkept - 1);
	proc_walk_free(); /* the other state the sources keep between rounds */
}
