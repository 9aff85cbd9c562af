#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "workloads/prng.h"
#include "workloads/promises.h"
#include "workloads/race.h"

struct racer_arg {
	struct race *r;
	const struct race_ops *ops;
	int i;
};

static void *racer_main(void *arg)
{
	struct racer_arg *a = arg;
	for (;;) {
		pthread_barrier_wait(&a->r->start);
		a->ops->race(a->r, a->i);
		pthread_barrier_wait(&a->r->end);
	}
	return NULL;
}

void race_close(struct race *r, int fd, uint32_t handle, const char *step)
{
	wl_ioctl_result(r->p, GS_IOC_CLOSE, RACE_CLOSE, gem_close(fd, handle), step, handle);
}

void race_run(struct wl_proc *p, const struct race_ops *ops)
{
	static struct race r;
	static struct racer_arg args[RACE_MAX_THREADS];
	int threads = (int)wl_get(p->cfg, "threads");
	uint64_t size = (uint64_t)wl_get(p->cfg, "size");
	r.p = p;
	r.fd = wl_open_client(p, NULL);
	r.dmabuf = -1;
	pthread_barrier_init(&r.start, NULL, (unsigned)threads + 1);
	pthread_barrier_init(&r.end, NULL, (unsigned)threads + 1);
	for (int i = 0; i < threads; i++) {
		r.racer_fd[i] = ops->racers_own_file ? wl_open_client(p, NULL) : r.fd;
		args[i] = (struct racer_arg){ &r, ops, i };
		pthread_t t;
		if (pthread_create(&t, NULL, racer_main, &args[i])) {
			wl_report(p, "setup", "cannot start racer thread %d", i);
			wl_exit(p, WL_EXIT_SETUP);
		}
	}
	struct prng rnd;
	prng_init(&rnd, p);
	struct wl_pacer pacer;
	wl_pacer_init(&pacer, p->cfg, p->nprocs);
	uint32_t close_delay = (uint32_t)wl_get(p->cfg, "close_delay_us");
	unsigned errors = 0;
	for (r.seq = 0; !wl_should_stop(p); r.seq++) {
		wl_pacer_wait(&pacer);
		r.mode = (int)prng_below(&rnd, (uint32_t)ops->modes);
		int e = gem_create(r.fd, p->dev->kind, size, &r.handle);
		if (e)
			wl_count_error(p, GS_IOC_CREATE, e);
		if (e || !ops->prepare(&r)) {
			if (!e)
				gem_close(r.fd, r.handle);
			wl_backoff(&errors);
			continue;
		}
		errors = 0;
		/* Drawn before the start, so the racers are not kept waiting. */
		uint32_t delay = close_delay ? prng_below(&rnd, close_delay + 1) : 0;
		pthread_barrier_wait(&r.start);
		if (delay) {
			/* The racers wake after the main thread: without a delay its
			 * close is mostly over before their ioctls begin. */
			struct timespec ts = { 0, (long)delay * 1000 };
			nanosleep(&ts, NULL);
		}
		race_close(&r, r.fd, r.handle, "main-close");
		if (ops->after_close)
			ops->after_close(&r);
		pthread_barrier_wait(&r.end);
		if (ops->finish)
			ops->finish(&r);
		wl_cycle_done(p);
	}
	wl_exit(p, 0);
}

int race_nprocs(const struct wl_config *cfg)
{
	return (int)wl_get(cfg, "processes");
}

void *race_setup(const struct wl_config *cfg)
{
	return layout_pairs_setup(0);
}

int race_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	return 0;
}
