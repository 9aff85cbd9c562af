#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "workloads/layout.h"

struct layout {
	bool star;
	int n;               /* socketpairs */
	int sv[][2];
};

static void *layout_new(bool star, int n)
{
	struct layout *l = calloc(1, sizeof(*l) + (size_t)n * sizeof(l->sv[0]));
	if (!l)
		return NULL;
	l->star = star;
	for (; l->n < n; l->n++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l->sv[l->n]) < 0) {
			int e = errno;
			layout_teardown(l);
			errno = e;
			return NULL;
		}
	}
	return l;
}

void *layout_pairs_setup(int pairs)
{
	return layout_new(false, pairs);
}

void *layout_star_setup(int spokes)
{
	return layout_new(true, spokes);
}

int layout_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max)
{
	struct layout *l = chan;
	if (!l->star) {
		fds[0] = l->sv[index / 2][index % 2];
		return 1;
	}
	if (index > 0) {
		fds[0] = l->sv[index - 1][1];
		return 1;
	}
	int n = 0;
	for (; n < l->n && n < max; n++)
		fds[n] = l->sv[n][0];
	return n;
}

void layout_teardown(void *chan)
{
	struct layout *l = chan;
	for (int i = 0; i < l->n; i++) {
		close(l->sv[i][0]);
		close(l->sv[i][1]);
	}
	free(l);
}
