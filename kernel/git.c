/* git runner: posix_spawnp with both output streams read through pipes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/spawn.h"
#include "kernel/git.h"

extern char **environ;

#define GIT_MAX_ARGS 32

struct buf {
	char *data;
	size_t len;
};

static void buf_add(struct buf *b, const char *d, size_t n)
{
	char *p = realloc(b->data, b->len + n + 1);
	if (!p)
		abort();
	memcpy(p + b->len, d, n);
	b->len += n;
	p[b->len] = '\0';
	b->data = p;
}

/* Drain both pipes until both close; git may fill either one first. */
static void drain(int out_fd, int err_fd, struct buf *out, struct buf *err)
{
	struct pollfd pfd[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = err_fd, .events = POLLIN } };
	struct buf *bufs[2] = { out, err };
	int open_fds = 2;
	char chunk[8192];
	while (open_fds > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				buf_add(bufs[i], chunk, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
}

int git_run(const char *dir, const char *const args[], struct git_result *r)
{
	const char *argv[GIT_MAX_ARGS + 4] = { "git", "-C", dir };
	int argc = 3;
	for (int i = 0; args[i]; i++) {
		if (argc >= GIT_MAX_ARGS + 3)
			abort(); /* a programming error, not input */
		argv[argc++] = args[i];
	}
	argv[argc] = NULL;

	struct buf out = { 0 }, err = { 0 };
	buf_add(&out, "", 0);
	buf_add(&err, "", 0);
	r->status = -1;
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0)
		goto done;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		goto done;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		char msg[256];
		snprintf(msg, sizeof(msg), "cannot run git: %s\n", strerror(rc));
		buf_add(&err, msg, strlen(msg));
		goto done;
	}
	drain(po[0], pe[0], &out, &err);
	int st;
	if (spawn_reap(pid, &st) == 0)
		r->status = spawn_exit_code(st);
done:
	r->out = out.data;
	r->err = err.data;
	return r->status;
}

void git_result_free(struct git_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

bool git_ok(const char *dir, const char *const args[])
{
	struct git_result r;
	int st = git_run(dir, args, &r);
	git_result_free(&r);
	return st == 0;
}

bool git_is_repo(const char *dir)
{
	struct git_result r;
	const char *args[] = { "rev-parse", "--show-prefix", NULL };
	bool top = git_run(dir, args, &r) == 0 && strcmp(r.out, "\n") == 0;
	git_result_free(&r);
	return top;
}

bool git_has_commit(const char *dir, const char *id)
{
	char spec[64];
	snprintf(spec, sizeof(spec), "%s^{commit}", id);
	const char *args[] = { "cat-file", "-e", spec, NULL };
	return git_ok(dir, args);
}

bool git_head(const char *dir, char head[41])
{
	struct git_result r;
	const char *args[] = { "rev-parse", "--verify", "-q", "HEAD", NULL };
	bool ok = git_run(dir, args, &r) == 0 && strlen(r.out) >= 40;
	if (ok) {
		memcpy(head, r.out, 40);
		head[40] = '\0';
	}
	git_result_free(&r);
	return ok;
}
