#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/leak-watch.h"
#include "daemon/leak-guard.h"

struct leak_watch {
	pthread_t thread;
	pthread_mutex_t lock;      /* guards everything below */
	pthread_cond_t cond;       /* stop requests */
	const char *meminfo;
	int64_t floor_kb;
	struct timespec period;
	int pipe_fd[2];
	bool stopping;
	bool armed;                /* may freeze; cleared by a freeze, set by thaw */
	pid_t pids[LEAK_WATCH_MAX_PIDS];
	size_t npids;
	pid_t frozen[LEAK_WATCH_MAX_PIDS]; /* the process groups the freeze stopped */
	size_t nfrozen;
	int taken;                 /* groups frozen, not yet taken by the loop; -1: none */
	int64_t avail_kb;
};

/* The usable memory (leak_guard_usable_kb) from the file, read with
 * read(2) into a bounded buffer (no stdio, no locks a fork could copy); -1
 * when it cannot be read. */
static int64_t watch_avail_kb(const char *path)
{
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	ssize_t n, len = 0;
	while (len < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return leak_guard_usable_kb(buf);
}

/* Stop each worker's process group once; with the lock held. */
static void watch_freeze(struct leak_watch *w)
{
	w->nfrozen = 0;
	for (size_t i = 0; i < w->npids; i++) {
		pid_t g = getpgid(w->pids[i]);
		bool seen = g <= 1 || g == getpgrp();  /* never the daemon's own group */
		for (size_t j = 0; !seen && j < w->nfrozen; j++)
			seen = w->frozen[j] == g;
		if (!seen && kill(-g, SIGSTOP) == 0)
			w->frozen[w->nfrozen++] = g;
	}
}

static void *watch_main(void *arg)
{
	struct leak_watch *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += w->period.tv_sec;
		until.tv_nsec += w->period.tv_nsec;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->stopping && pthread_cond_timedwait(&w->cond, &w->lock, &until) != ETIMEDOUT)
			;
		if (w->stopping || !w->armed)
			continue;
		pthread_mutex_unlock(&w->lock);
		int64_t avail = watch_avail_kb(w->meminfo);
		pthread_mutex_lock(&w->lock);
		if (avail < 0 || avail >= w->floor_kb || !w->armed || w->stopping)
			continue;
		watch_freeze(w);
		w->armed = false;
		w->taken = (int)w->nfrozen;
		w->avail_kb = avail;
		char byte = 1;
		/* The pipe is non-blocking: a full one is already a wake-up. */
		if (write(w->pipe_fd[1], &byte, 1) < 0 && errno != EAGAIN)
			w->stopping = true;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int leak_watch_start(struct leak_watch **out, const char *meminfo, int64_t floor_kb, double period_s,
		     int *wake_fd)
{
	struct leak_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->meminfo = meminfo;
	w->floor_kb = floor_kb;
	w->period.tv_sec = (time_t)period_s;
	w->period.tv_nsec = (long)((period_s - (double)w->period.tv_sec) * 1e9);
	w->armed = true;
	w->taken = -1;
	if (pipe2(w->pipe_fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = -errno;
		free(w);
		return e;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->lock, NULL);
	/* Signals stay with the loop's thread (libevent's signal events). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = -pthread_create(&w->thread, NULL, watch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		close(w->pipe_fd[0]);
		close(w->pipe_fd[1]);
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return r;
	}
	*wake_fd = w->pipe_fd[0];
	*out = w;
	return 0;
}

void leak_watch_set_pids(struct leak_watch *w, const pid_t *pids, size_t n)
{
	pthread_mutex_lock(&w->lock);
	w->npids = n < LEAK_WATCH_MAX_PIDS ? n : LEAK_WATCH_MAX_PIDS;
	memcpy(w->pids, pids, w->npids * sizeof(*pids));
	pthread_mutex_unlock(&w->lock);
}

int leak_watch_take(struct leak_watch *w, int64_t *avail_kb)
{
	char buf[64];
	while (read(w->pipe_fd[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->lock);
	int n = w->taken;
	w->taken = -1;
	*avail_kb = w->avail_kb;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void leak_watch_thaw(struct leak_watch *w)
{
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->nfrozen; i++)
		kill(-w->frozen[i], SIGCONT);
	w->nfrozen = 0;
	w->armed = true;
	pthread_mutex_unlock(&w->lock);
}

void leak_watch_stop(struct leak_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	close(w->pipe_fd[0]);
	close(w->pipe_fd[1]);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
