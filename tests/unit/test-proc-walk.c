/* The walk over procfs (sources/proc-walk.c) on a procfs of its own: a
 * directory of PID/stat, PID/maps and PID/fd/N symlinks to files of the
 * test, with "the device" a regular file matched by link name as the
 * kernel model's is. It checks the budget per round, that every process
 * is visited in turn and what a process held is kept between its visits,
 * the workers every round, a file unchanged since the last visit not read
 * again, and processes gone or replaced under the same pid. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sources/holders.h"
#include "sources/proc-walk.h"
#include "sources/workers.h"

static char root[64];           /* the test's directory */
static char procfs[128], device[128], other[128], dmabuf[128];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A process pid started at `start` with `ndev` fds on the device and
 * `nother` on another file. */
static void add_proc(int pid, unsigned long start, int ndev, int nother)
{
	char path[300], text[200];
	snprintf(path, sizeof(path), "%s/%d", procfs, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/fd", procfs, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/stat", procfs, pid);
	snprintf(text, sizeof(text), "%d (a (b) c) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %lu 0 0\n", pid, start);
	put_file(path, text);
	snprintf(path, sizeof(path), "%s/%d/maps", procfs, pid);
	put_file(path, "00400000-00401000 r-xp 00000000 08:01 12 /bin/x\n");
	for (int i = 0; i < ndev + nother; i++) {
		snprintf(path, sizeof(path), "%s/%d/fd/%d", procfs, pid, i);
		assert_int_equal(symlink(i < ndev ? device : other, path), 0);
	}
}

static void remove_proc(int pid)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s/%d", procfs, pid);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/gs-proc-walk-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(procfs, sizeof(procfs), "%s/proc", root);
	snprintf(device, sizeof(device), "%s/card0", root);
	snprintf(other, sizeof(other), "%s/other", root);
	snprintf(dmabuf, sizeof(dmabuf), "%s/other2", root);
	assert_int_equal(mkdir(procfs, 0755), 0);
	put_file(device, "");
	put_file(other, "");
	put_file(dmabuf, "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	proc_walk_free();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static const struct walk_proc *find(const struct walk_proc *p, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == pid)
			return &p[i];
	return NULL;
}

static size_t drm_fds(const struct walk_proc *p)
{
	size_t k = 0;
	for (size_t i = 0; p && i < p->nfds; i++)
		k += p->fds[i].kind == FD_DRM;
	return k;
}

/* One round's walk. */
static const struct walk_proc *round_walk(const struct source_ctx *ctx, size_t *n, struct proc_walk_stats *st)
{
	proc_walk_new_round();
	const struct walk_proc *p = proc_walk_get(ctx, n);
	assert_non_null(p);
	proc_walk_last_stats(st);
	return p;
}

static void kinds_from_stat(void **state)
{
	(void)state;
	enum fd_kind k = FD_OTHER;
	uint64_t dmabuf_dev = makedev(0, 14), drm = makedev(226, 0), card = makedev(1, 5);
	struct walk_device none = { 0 }, chr = { "/dev/zero", card, false, 0, 0 };
	struct walk_device model = { "/tmp/m/card0", 0, true, 0, 0 }, file = { "/tmp/card0", 0, true, 8, 99 };
	assert_true(walk_kind_from_stat(0600, dmabuf_dev, 0, 7, dmabuf_dev, &none, &k));
	assert_int_equal(k, FD_DMABUF);
	/* another anon inode (sync_file, eventfd...): only its link tells */
	assert_false(walk_kind_from_stat(0600, makedev(0, 15), 0, 1, dmabuf_dev, &none, &k));
	assert_false(walk_kind_from_stat(0600, dmabuf_dev, 0, 7, 0, &none, &k));
	assert_true(walk_kind_from_stat(S_IFCHR | 0666, 5, drm, 3, 0, &none, &k));
	assert_int_equal(k, FD_DRM);
	assert_true(walk_kind_from_stat(S_IFCHR | 0666, 5, makedev(1, 3), 3, 0, &none, &k));
	assert_int_equal(k, FD_OTHER);
	assert_true(walk_kind_from_stat(S_IFCHR | 0666, 5, card, 3, 0, &chr, &k));
	assert_int_equal(k, FD_DRM);
	assert_true(walk_kind_from_stat(S_IFREG | 0644, 5, 0, 3, 0, &none, &k));
	assert_int_equal(k, FD_OTHER);
	assert_true(walk_kind_from_stat(S_IFSOCK | 0777, 5, 0, 3, 0, &none, &k));
	assert_int_equal(k, FD_OTHER);
	/* a device matched by name: a socket may be it, a file by its inode */
	assert_false(walk_kind_from_stat(S_IFSOCK | 0777, 5, 0, 3, 0, &model, &k));
	assert_true(walk_kind_from_stat(S_IFREG | 0644, 5, 0, 3, 0, &model, &k));
	assert_int_equal(k, FD_OTHER);
	assert_true(walk_kind_from_stat(S_IFREG | 0644, 8, 0, 99, 0, &file, &k));
	assert_int_equal(k, FD_DRM);
	assert_true(walk_kind_from_stat(S_IFREG | 0644, 8, 0, 98, 0, &file, &k));
	assert_int_equal(k, FD_OTHER);
}

/* 400 processes of 40 fds, far more than a round's budget, and a holder
 * of the device with the highest pid: every round stays within the
 * budget (plus one process), the holder is found after the turns the
 * others take and counted in every round after, and dropped when gone. */
static void bounded_and_kept(void **state)
{
	(void)state;
	for (int pid = 100; pid < 500; pid++)
		add_proc(pid, 1000 + pid, 0, 40);
	add_proc(9000, 5, 3, 10);
	struct source_ctx ctx = { .procfs = procfs, .device = device, .card_minor = -1 };
	struct proc_walk_stats st;
	size_t n, max_units = 0;
	int found = 0;
	for (int r = 1; r <= 40; r++) {
		const struct walk_proc *p = round_walk(&ctx, &n, &st);
		assert_int_equal(n, 401);
		max_units = st.units > max_units ? st.units : max_units;
		size_t held = drm_fds(find(p, n, 9000));
		if (!found && held)
			found = r;
		if (found)
			assert_int_equal(held, 3); /* kept in the rounds it is not visited */
	}
	print_message("401 processes, 16,030 fds: at most %zu units per round (budget %d), the holder found in round %d,"
		      " oldest visit %lu rounds back\n", max_units, PROC_WALK_BUDGET, found, st.oldest);
	/* a process costs 4 units and 2 per fd here (statx and link) */
	assert_true(max_units <= PROC_WALK_BUDGET + 4 + 2 * 40);
	assert_true(found > 1);
	assert_int_equal(st.never, 0);
	remove_proc(9000);
	const struct walk_proc *p = round_walk(&ctx, &n, &st);
	assert_int_equal(n, 400);
	assert_null(find(p, n, 9000));
	proc_walk_free();
	for (int pid = 100; pid < 500; pid++)
		remove_proc(pid);
}

/* A process debugfs dri/N/clients lists is visited first, however far
 * the budget is from reaching it. */
static void drm_clients_first(void **state)
{
	(void)state;
	for (int pid = 100; pid < 500; pid++)
		add_proc(pid, 1, 0, 40);
	add_proc(9000, 5, 3, 10);
	char path[300];
	snprintf(path, sizeof(path), "mkdir -p %s/debugfs/dri/0", root);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/debugfs/dri/0/clients", root);
	put_file(path, "             command   pid dev master a   uid      magic\n"
		       "              holder  9000   0   n    y     0          0\n");
	snprintf(path, sizeof(path), "%s/debugfs", root);
	struct source_ctx ctx = { .procfs = procfs, .debugfs = path, .device = device, .card_minor = 0 };
	struct proc_walk_stats st;
	size_t n;
	const struct walk_proc *p = round_walk(&ctx, &n, &st);
	print_message("the DRM client: %zu DRM fds in the first round, %zu of 401 processes visited\n",
		      drm_fds(find(p, n, 9000)), st.visited);
	assert_int_equal(drm_fds(find(p, n, 9000)), 3);
	assert_true(st.visited < 401);
	proc_walk_free();
	for (int pid = 100; pid < 500; pid++)
		remove_proc(pid);
	remove_proc(9000);
}

/* The workers are visited every round, whatever the budget left. */
static void workers_every_round(void **state)
{
	(void)state;
	for (int pid = 100; pid < 400; pid++)
		add_proc(pid, 1, 0, 40);
	add_proc(450, 1, 0, 10);
	struct workers_view *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->pids[0] = 450;
	w->npids = 1;
	struct source_ctx ctx = { .procfs = procfs, .device = device, .card_minor = -1, .workers = w };
	struct proc_walk_stats st;
	size_t n;
	for (int r = 0; r < 5; r++) {
		const struct walk_proc *p = round_walk(&ctx, &n, &st);
		const struct walk_proc *me = find(p, n, 450);
		assert_non_null(me);
		assert_true(me->worker);
		assert_int_equal(me->visited, st.round);
		/* add its device fds after the first round: seen at once */
		if (r == 0) {
			char path[300];
			snprintf(path, sizeof(path), "%s/450/fd/20", procfs);
			assert_int_equal(symlink(device, path), 0);
		} else {
			assert_int_equal(drm_fds(me), 1);
		}
	}
	free(w);
	proc_walk_free();
	for (int pid = 100; pid < 400; pid++)
		remove_proc(pid);
	remove_proc(450);
}

/* A unix socket bound at path (the kernel model's DRM files are sockets). */
static int bound_socket(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	assert_true(len < sizeof(a.sun_path));
	memcpy(a.sun_path, path, len + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* A socket unchanged since the last visit is not read again (the
 * device matched by name: its sockets' links name it); a socket replaced
 * under the same fd number is. */
static void unchanged_files_not_read_again(void **state)
{
	(void)state;
	char sock[200], sock2[200];
	snprintf(sock, sizeof(sock), "%s/sock", root);
	snprintf(sock2, sizeof(sock2), "%s/sock2", root);
	int s1 = bound_socket(sock), s2 = bound_socket(sock2);
	add_proc(300, 7, 0, 0);
	char path[300];
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/300/fd/%d", procfs, i);
		assert_int_equal(symlink(sock, path), 0);
	}
	struct source_ctx ctx = { .procfs = procfs, .device = sock, .card_minor = -1 };
	struct proc_walk_stats st;
	size_t n;
	const struct walk_proc *p = round_walk(&ctx, &n, &st);
	size_t first = st.readlinks;
	assert_int_equal(drm_fds(find(p, n, 300)), 10);
	p = round_walk(&ctx, &n, &st);
	size_t second = st.readlinks;
	assert_int_equal(drm_fds(find(p, n, 300)), 10);
	snprintf(path, sizeof(path), "%s/300/fd/4", procfs);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(sock2, path), 0);
	p = round_walk(&ctx, &n, &st);
	size_t third = st.readlinks;
	assert_int_equal(drm_fds(find(p, n, 300)), 9);
	p = round_walk(&ctx, &n, &st);
	print_message("links read: %zu in the first visit, %zu in the second, %zu after one fd changed, %zu after\n",
		      first, second, third, st.readlinks);
	assert_int_equal(first, 10);
	assert_int_equal(second, 0);
	assert_int_equal(third, 1);
	assert_int_equal(st.readlinks, 0);
	close(s1);
	close(s2);
	proc_walk_free();
	remove_proc(300);
}

/* A pid reused by another process: what the first held is not counted
 * for the second, whether the budget reaches it this round or not. */
static void pid_reuse(void **state)
{
	(void)state;
	add_proc(300, 7, 2, 0);
	struct source_ctx ctx = { .procfs = procfs, .device = device, .card_minor = -1 };
	struct proc_walk_stats st;
	size_t n;
	const struct walk_proc *p = round_walk(&ctx, &n, &st);
	assert_int_equal(drm_fds(find(p, n, 300)), 2);
	remove_proc(300);
	add_proc(300, 8, 0, 2);
	p = round_walk(&ctx, &n, &st);
	assert_int_equal(drm_fds(find(p, n, 300)), 0);
	assert_int_equal(find(p, n, 300)->start, 8);
	proc_walk_free();
	remove_proc(300);
}

/* The maps' dma-bufs and a procfs that cannot be read. */
static void maps_and_no_procfs(void **state)
{
	(void)state;
	add_proc(300, 7, 0, 1);
	char path[300];
	snprintf(path, sizeof(path), "%s/300/maps", procfs);
	put_file(path, "00400000-00401000 r-xp 00000000 08:01 12 /bin/x\n"
		       "7f00000-7f01000 rw-s 00000000 00:0e 4242 /dmabuf:scanout\n"
		       "7f01000-7f02000 rw-s 00000000 00:0e 4243 anon_inode:dmabuf\n");
	struct source_ctx ctx = { .procfs = procfs, .card_minor = -1 };
	struct proc_walk_stats st;
	size_t n;
	const struct walk_proc *all = round_walk(&ctx, &n, &st);
	const struct walk_proc *p = find(all, n, 300);
	assert_non_null(p);
	assert_int_equal(p->nmaps, 2);
	assert_int_equal(p->maps[0], 4242);
	assert_int_equal(p->maps[1], 4243);
	proc_walk_free();
	remove_proc(300);
	ctx.procfs = "/nonexistent";
	proc_walk_new_round();
	assert_null(proc_walk_get(&ctx, &n));
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_from_stat),
		cmocka_unit_test(bounded_and_kept),
		cmocka_unit_test(drm_clients_first),
		cmocka_unit_test(workers_every_round),
		cmocka_unit_test(unchanged_files_not_read_again),
		cmocka_unit_test(pid_reuse),
		cmocka_unit_test(maps_and_no_procfs),
	};
	return cmocka_run_group_tests_name("proc-walk", tests, setup, teardown);
}
