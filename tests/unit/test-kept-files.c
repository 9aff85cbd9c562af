/* sources/kept-files.c: procfs files stay open between reads and show
 * current content; files elsewhere are opened afresh (a snapshot replaced
 * by rename must never be read from the old, kept descriptor). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"

#include "sources/sources.h"

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void snapshot_replaced_by_rename_is_read_fresh(void **state)
{
	(void)state;
	char dir[] = "/tmp/gs-kept-XXXXXX", path[64], tmp[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gem_names", dir);
	snprintf(tmp, sizeof(tmp), "%s/gem_names.tmp", dir);
	write_file(path, "first\n");
	char *text = kept_file_read(path);
	assert_string_equal(text, "first\n");
	free(text);
	write_file(tmp, "second\n");
	assert_int_equal(rename(tmp, path), 0);
	text = kept_file_read(path);
	assert_string_equal(text, "second\n");
	free(text);
	unlink(path);
	rmdir(dir);
	kept_files_close();
}

static void procfs_file_is_kept_and_current(void **state)
{
	(void)state;
	int before = open_fds();
	char *a = kept_file_read("/proc/self/stat");
	assert_non_null(a);
	assert_int_equal(open_fds(), before + 1);
	/* Read again on the same descriptor: from the start, not from where
	 * the first read ended (which would give an empty text). */
	char *b = kept_file_read("/proc/self/stat");
	assert_non_null(b);
	assert_int_equal(open_fds(), before + 1);
	assert_int_equal(strncmp(a, b, 8), 0);
	free(a);
	free(b);
	kept_files_close();
	assert_int_equal(open_fds(), before);
}

static void vanished_file_fails_and_is_forgotten(void **state)
{
	(void)state;
	assert_null(kept_file_read("/proc/self/no-such-file"));
	int before = open_fds();
	assert_null(kept_file_read("/proc/self/no-such-file"));
	assert_int_equal(open_fds(), before);
}

/* A FIFO would block the event loop in open(), a device (a link to
 * /dev/zero) never ends, NUL bytes are no text: each is refused at once,
 * with a message that says so, and nothing is kept open. */
static void what_is_no_regular_text_file_is_refused(void **state)
{
	(void)state;
	char dir[] = "/tmp/gs-kept-XXXXXX", fifo[64], zero[64], nul[64], why[256];
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(zero, sizeof(zero), "%s/zero", dir);
	snprintf(nul, sizeof(nul), "%s/nul", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink("/dev/zero", zero), 0);
	int fd = open(nul, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "\0\0\0\0", 4), 4);
	close(fd);
	int before = open_fds();
	assert_null(source_read(fifo, why, sizeof(why)));
	assert_int_equal(errno, GS_ENOTREG);
	assert_non_null(strstr(why, "fifo: not a regular file"));
	assert_null(source_read(zero, why, sizeof(why)));
	assert_non_null(strstr(why, "zero: not a regular file"));
	assert_null(source_read(nul, why, sizeof(why)));
	assert_non_null(strstr(why, "nul: contains NUL bytes"));
	assert_null(source_read(dir, why, sizeof(why)));
	assert_int_equal(errno, EISDIR);
	assert_int_equal(open_fds(), before);
	unlink(fifo);
	unlink(zero);
	unlink(nul);
	rmdir(dir);
}

/* A regular file past the cap is refused, and the cap is named. */
static void read_cap_is_reported(void **state)
{
	(void)state;
	char path[] = "/tmp/gs-kept-big-XXXXXX", why[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)GS_TEXT_LIMIT + 4096), 0);
	close(fd);
	/* A sparse file of zeros: refused at the cap, before the NUL check. */
	assert_null(source_read(path, why, sizeof(why)));
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(why, "larger than the 256 MiB read cap"));
	size_t len;
	assert_null(read_file_limit(path, 1000, &len));
	assert_int_equal(errno, EFBIG);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(snapshot_replaced_by_rename_is_read_fresh),
		cmocka_unit_test(procfs_file_is_kept_and_current),
		cmocka_unit_test(vanished_file_fails_and_is_forgotten),
		cmocka_unit_test(what_is_no_regular_text_file_is_refused),
		cmocka_unit_test(read_cap_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
