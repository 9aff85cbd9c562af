/* The bounded, remembering walk over procfs (contract and bounds in
 * sources/proc-walk.h). State lives here between rounds: the table of
 * processes, sorted by pid. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/util.h"
#include "sources/proc-walk.h"
#include "sources/workers.h"

#define DRM_MAJOR 226
#define MAPS_BYTES_PER_UNIT 512

static struct walk_proc *procs;
static size_t nprocs;
static unsigned long round_no = 1, walked_round;
static struct proc_walk_stats last;
static uint64_t dmabuf_dev;   /* the dma-buf filesystem's st_dev, once a "/dmabuf:" link showed it */
static bool want_maps = true;

void proc_walk_want_maps(bool want)
{
	want_maps = want;
}

void proc_walk_new_round(void)
{
	round_no++;
}

/* The sampler's mark of a new round, before the sources that walk. */
static int collect_new_round(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	(void)ctx, (void)b, (void)why, (void)whylen;
	proc_walk_new_round();
	return 0;
}

const struct source source_proc_walk = { "proc-walk", collect_new_round, NULL };

static void forget(struct walk_proc *p)
{
	p->holder = false;
	free(p->fds);
	free(p->maps);
	p->fds = NULL;
	p->maps = NULL;
	p->nfds = p->nmaps = 0;
}

void proc_walk_free(void)
{
	for (size_t i = 0; i < nprocs; i++)
		forget(&procs[i]);
	free(procs);
	procs = NULL;
	nprocs = 0;
	walked_round = 0;
	dmabuf_dev = 0;
	want_maps = true;
}

void proc_walk_last_stats(struct proc_walk_stats *st)
{
	*st = last;
}

bool walk_kind_from_stat(unsigned mode, uint64_t dev, uint64_t rdev, uint64_t ino, uint64_t dmabuf,
			 const struct walk_device *d, enum fd_kind *kind)
{
	*kind = FD_OTHER;
	switch (mode & S_IFMT) {
	case 0: /* an anon inode: dma-bufs on their own filesystem, the rest share one */
		if (dmabuf && dev == dmabuf) {
			*kind = FD_DMABUF;
			return true;
		}
		return false;
	case S_IFCHR:
		if (major(rdev) == DRM_MAJOR || (d->rdev && rdev == d->rdev))
			*kind = FD_DRM;
		return true;
	case S_IFSOCK:
		return !d->by_name;
	default:
		if (d->ino && dev == d->dev && ino == d->ino)
			*kind = FD_DRM;
		return true;
	}
}

static enum fd_kind kind_from_link(const struct walk_device *d, const char *link)
{
	if (strncmp(link, "/dev/dri/", 9) == 0 || (d->path && strcmp(link, d->path) == 0))
		return FD_DRM;
	return fd_link_kind(link);
}

/* The start time of pid (field 22 of /proc/PID/stat, after the command's
 * closing parenthesis); 0 when it cannot be read (gone). */
static uint64_t start_time(const char *procfs, int pid)
{
	char path[300], buf[1024];
	snprintf(path, sizeof(path), "%s/%d/stat", procfs, pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long long start = 0;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itreal start */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start) != 1)
		return 0;
	return start;
}

static int by_fd(const void *a, const void *b)
{
	const struct walk_fd *x = a, *y = b;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The fd of the last visit with number fd, if its file is the same one
 * (p->fds is sorted by fd). */
static const struct walk_fd *same_file(const struct walk_proc *p, int fd, uint64_t dev, uint64_t ino)
{
	struct walk_fd key = { .fd = fd };
	const struct walk_fd *o = p->nfds ? bsearch(&key, p->fds, p->nfds, sizeof(key), by_fd) : NULL;
	return o && !o->shared_inode && o->dev == dev && o->ino == ino ? o : NULL;
}

struct fd_list {
	struct walk_fd *v;
	size_t n, cap;
};

static int fd_list_add(struct fd_list *l, const struct walk_fd *f)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct walk_fd *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *f;
	return 0;
}

/* The DRM files, dma-bufs and sync_files among p's fds into *out,
 * sorted by fd, with the other files whose kind took their link to know
 * (the kernel model's sockets); p->holder set when it holds one of the
 * first. */
static void visit_fds(const struct source_ctx *ctx, const struct walk_device *dev, struct walk_proc *p,
		      struct fd_list *out)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/%d/fd", ctx->procfs, p->pid);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return; /* gone, or not ours to read */
	}
	last.units++;
	int fds = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && fds < PROC_WALK_MAX_FDS) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fds++;
		struct statx sx;
		last.statx++;
		last.units++;
		struct walk_fd f = { .fd = atoi(e->d_name), .kind = FD_OTHER, .shared_inode = true };
		bool known = false;
		/* AT_STATX_DONT_SYNC: a file on a hung network filesystem answers
		 * from its cache instead of blocking the round */
		if (statx(dfd, e->d_name, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, &sx) == 0) {
			f.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
			f.ino = sx.stx_ino;
			f.shared_inode = (sx.stx_mode & S_IFMT) == 0;
			const struct walk_fd *o = same_file(p, f.fd, f.dev, f.ino);
			if (o)
				f.kind = o->kind;
			known = o || walk_kind_from_stat(sx.stx_mode, f.dev, makedev(sx.stx_rdev_major, sx.stx_rdev_minor),
							  f.ino, dmabuf_dev, dev, &f.kind);
		} else if (errno == ENOENT) {
			continue; /* closed since the listing */
		}
		/* else a file statx may not look at (another namespace's):
		 * its link still names what it is */
		if (!known) {
			char path[600], link[300];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			last.readlinks++;
			last.units++;
			ssize_t l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0 && (errno == EACCES || errno == EPERM))
				break; /* not ours to look at: neither are its other fds */
			if (l <= 0)
				continue;
			link[l] = '\0';
			f.kind = kind_from_link(dev, link);
			if (f.kind == FD_DMABUF && f.shared_inode && f.dev && strncmp(link, "/dmabuf:", 8) == 0)
				dmabuf_dev = f.dev; /* dma-bufs have their own filesystem (5.3+) */
		}
		/* kept: what the sources count, and what took a link to know
		 * that its inode will tell next time */
		bool keep = f.kind != FD_OTHER || (!known && !f.shared_inode);
		if (keep && fd_list_add(out, &f) != 0)
			break;
		p->holder |= f.kind != FD_OTHER;
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_fd);
}

static bool is_dmabuf_name(const char *p)
{
	return strncmp(p, "anon_inode:dmabuf", 17) == 0 || strncmp(p, "/dmabuf:", 8) == 0;
}

/* The inodes of the dma-bufs p maps, from /proc/PID/maps. */
static void visit_maps(const struct source_ctx *ctx, struct walk_proc *p)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/%d/maps", ctx->procfs, p->pid);
	size_t len = 0;
	char *maps = read_text_file(path, &len);
	if (!maps)
		return;
	last.units += 1 + len / MAPS_BYTES_PER_UNIT;
	size_t cap = 0;
	/* "start-end perms offset dev inode path" */
	for (const char *line = maps; line && *line;) {
		char buf[512];
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (!mem_contains(line, n, "dmabuf")) {
			line = nl ? nl + 1 : NULL; /* most lines: no sscanf */
			continue;
		}
		const char *next = line_copy(line, buf, sizeof(buf));
		unsigned long long ino;
		int at = 0;
		if (sscanf(buf, "%*s %*s %*s %*s %llu %n", &ino, &at) == 1 && at > 0 && is_dmabuf_name(buf + at)) {
			if (p->nmaps == cap) {
				size_t c = cap ? cap * 2 : 8;
				uint64_t *v = realloc(p->maps, c * sizeof(*v));
				if (!v)
					break;
				p->maps = v;
				cap = c;
			}
			p->maps[p->nmaps++] = ino;
		}
		line = next;
	}
	free(maps);
}

/* Visit p: what it holds now replaces what it held. */
static void visit(const struct source_ctx *ctx, const struct walk_device *dev, struct walk_proc *p)
{
	uint64_t start = start_time(ctx->procfs, p->pid);
	last.units += 2;
	p->visited = round_no;
	last.visited++;
	if (start != p->start) {
		forget(p); /* gone, or the pid is another process's now */
		p->start = start;
	}
	if (!start)
		return;
	struct fd_list l = { 0 };
	p->holder = false;
	visit_fds(ctx, dev, p, &l);
	free(p->fds);
	p->fds = l.v;
	p->nfds = l.n;
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
	if (want_maps)
		visit_maps(ctx, p);
}

struct seen {
	int pid;
	uint64_t ino;
};

static int by_pid(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The pids of procfs, ascending, with their directories' inodes. */
static struct seen *list_pids(const char *procfs, size_t *n)
{
	DIR *d = opendir(procfs);
	if (!d)
		return NULL;
	size_t cap = nprocs + 64;
	struct seen *v = malloc(cap * sizeof(*v));
	*n = 0;
	struct dirent *e;
	while (v && (e = readdir(d)) != NULL && *n < PROC_WALK_MAX_PIDS) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (*n == cap) {
			struct seen *w = realloc(v, cap * 2 * sizeof(*v));
			if (!w) {
				free(v);
				v = NULL;
				break;
			}
			v = w;
			cap *= 2;
		}
		v[(*n)++] = (struct seen){ atoi(e->d_name), (uint64_t)e->d_ino };
	}
	int saved = errno;
	closedir(d);
	if (!v)
		errno = saved ? saved : ENOMEM;
	else
		qsort(v, *n, sizeof(*v), by_pid);
	return v;
}

/* The processes debugfs dri/N/clients lists as holding a DRM file of
 * the device: holders before their first visit. */
static void mark_drm_clients(const struct source_ctx *ctx)
{
	static int pids[PROC_WALK_MAX_PIDS];
	char path[512], why[256];
	size_t n = 0;
	char *text = ctx->debugfs ? source_read_dri(ctx, "clients", path, sizeof(path), why, sizeof(why)) : NULL;
	if (text && parse_drm_client_pids(text, pids, PROC_WALK_MAX_PIDS, &n) == 0)
		qsort(pids, n, sizeof(*pids), cmp_int);
	free(text);
	for (size_t i = 0; i < nprocs; i++)
		procs[i].drm_client = n && bsearch(&procs[i].pid, pids, n, sizeof(*pids), cmp_int);
}

/* The table again from procfs' listing: processes gone are dropped, a
 * directory with another inode is another process. */
static int refresh(const struct source_ctx *ctx)
{
	size_t n;
	struct seen *s = list_pids(ctx->procfs, &n);
	if (!s)
		return -errno;
	struct walk_proc *t = calloc(n ? n : 1, sizeof(*t));
	if (!t) {
		free(s);
		return -ENOMEM;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		while (o < nprocs && procs[o].pid < s[i].pid)
			forget(&procs[o++]);
		if (o < nprocs && procs[o].pid == s[i].pid) {
			t[i] = procs[o++];
			if (t[i].dir_ino != s[i].ino) {
				forget(&t[i]);
				t[i].visited = 0;
				t[i].start = 0;
			}
		}
		t[i].pid = s[i].pid;
		t[i].dir_ino = s[i].ino;
	}
	while (o < nprocs)
		forget(&procs[o++]);
	free(procs);
	free(s);
	procs = t;
	nprocs = n;
	/* The workers this round. */
	const struct workers_view *w = ctx->workers;
	int pids[WORKERS_MAX_PIDS];
	size_t nw = w ? w->npids : 0;
	for (size_t i = 0; i < nw; i++)
		pids[i] = (int)w->pids[i];
	qsort(pids, nw, sizeof(*pids), cmp_int);
	for (size_t i = 0; i < nprocs; i++)
		procs[i].worker = nw && bsearch(&procs[i].pid, pids, nw, sizeof(*pids), cmp_int);
	mark_drm_clients(ctx);
	return 0;
}

/* Visiting order: workers, then the holders (at their last visit, or
 * DRM clients by debugfs), then the rest; within each, the least
 * recently visited first. */
static int klass(const struct walk_proc *p)
{
	return p->worker ? 0 : p->holder || p->nmaps || p->drm_client ? 1 : 2;
}

static int by_turn(const void *a, const void *b)
{
	const struct walk_proc *x = &procs[*(const size_t *)a], *y = &procs[*(const size_t *)b];
	if (klass(x) != klass(y))
		return klass(x) - klass(y);
	if (x->visited != y->visited)
		return x->visited < y->visited ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int walk(const struct source_ctx *ctx)
{
	memset(&last, 0, sizeof(last));
	last.round = round_no;
	int r = refresh(ctx);
	if (r)
		return r;
	size_t *order = malloc((nprocs ? nprocs : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < nprocs; i++)
		order[i] = i;
	qsort(order, nprocs, sizeof(*order), by_turn);
	struct walk_device dev = { .path = ctx->device };
	struct stat st;
	bool found = ctx->device && stat(ctx->device, &st) == 0;
	if (found && S_ISCHR(st.st_mode)) {
		dev.rdev = st.st_rdev;
	} else if (ctx->device) {
		dev.by_name = true;
		if (found) {
			dev.dev = st.st_dev;
			dev.ino = st.st_ino;
		}
	}
	size_t spent = 0, others = 0; /* units and visits off the workers */
	for (size_t i = 0; i < nprocs; i++) {
		struct walk_proc *p = &procs[order[i]];
		int k = klass(p);
		/* the holders take at most half of the budget; one process at
		 * least is visited each round, however many fds it has */
		if (k == 1 && spent >= PROC_WALK_BUDGET / 2)
			continue;
		if (k == 2 && spent >= PROC_WALK_BUDGET && others > 0)
			break;
		size_t before = last.units;
		visit(ctx, &dev, p);
		if (k != 0) {
			spent += last.units - before;
			others++;
		}
	}
	free(order);
	for (size_t i = 0; i < nprocs; i++) {
		if (!procs[i].visited)
			last.never++;
		else if (round_no - procs[i].visited > last.oldest)
			last.oldest = round_no - procs[i].visited;
	}
	last.procs = nprocs;
	return 0;
}

const struct walk_proc *proc_walk_get(const struct source_ctx *ctx, size_t *n)
{
	*n = 0;
	if (walked_round != round_no) {
		int r = walk(ctx);
		if (r) {
			errno = -r;
			return NULL;
		}
		walked_round = round_no;
	}
	*n = nprocs;
	return procs;
}

int proc_walk_each_fd(const struct source_ctx *ctx, enum fd_kind kind,
		      void (*fn)(const struct walk_proc *p, const struct walk_fd *f, void *arg), void *arg)
{
	size_t n;
	const struct walk_proc *p = proc_walk_get(ctx, &n);
	if (!p)
		return -errno;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p[i].nfds; j++)
			if (p[i].fds[j].kind == kind)
				fn(&p[i], &p[i].fds[j], arg);
	return 0;
}
