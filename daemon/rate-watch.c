#include <stdlib.h>
#include <string.h>

#include "daemon/rate-watch.h"

static struct rate_track *track_of(struct rate_watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->tr[i].name, name) == 0)
			return &w->tr[i];
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct rate_track *tr = realloc(w->tr, cap * sizeof(*tr));
		if (!tr)
			return NULL;
		w->tr = tr;
		w->cap = cap;
	}
	struct rate_track *t = &w->tr[w->n++];
	memset(t, 0, sizeof(*t));
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->per_s = -1;
	return t;
}

const struct rate_track *rate_watch_find(const struct rate_watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->tr[i].name, name) == 0)
			return &w->tr[i];
	return NULL;
}

int rate_watch_round(struct rate_watch *w, const char *name, double cap, double t, uint64_t cycles,
		     bool paused, double *per_s, double *below_s)
{
	struct rate_track *tr = track_of(w, name);
	*per_s = -1;
	*below_s = 0;
	if (!tr)
		return -1;
	const int size = RATE_WATCH_POINTS;
	if (paused) {
		tr->gap = true;
		return RATE_SAME;
	}
	/* Counters that went back (a restarted workload) start the window
	 * again; the state it was in stays until a full one. */
	if (tr->seen && cycles < tr->last_cycles) {
		tr->n = 0;
		tr->left_out = cycles;
	} else if (tr->seen && tr->gap) {
		/* the interval a pause fell in: neither its time nor its cycles */
		tr->left_out += cycles - tr->last_cycles;
	} else if (tr->seen) {
		tr->running += t - tr->last_t;
	}
	tr->seen = true;
	tr->gap = false;
	tr->last_t = t;
	tr->last_cycles = cycles;
	double u = tr->running;
	uint64_t done = cycles - tr->left_out;
	if (tr->n == size) {
		tr->head = (tr->head + 1) % size;
		tr->n--;
	}
	int at = (tr->head + tr->n) % size;
	tr->t[at] = u;
	tr->cycles[at] = done;
	tr->n++;
	/* The newest earlier round at least a window ago begins the window;
	 * the rounds before it are no longer needed. */
	int from = -1;
	for (int k = tr->n - 2; k >= 0 && from < 0; k--)
		if (u - tr->t[(tr->head + k) % size] >= w->window_s)
			from = k;
	if (from < 0)
		return RATE_SAME;
	tr->head = (tr->head + from) % size;
	tr->n -= from;
	if (u <= tr->t[tr->head])
		return RATE_SAME;
	tr->per_s = (double)(done - tr->cycles[tr->head]) / (u - tr->t[tr->head]);
	*per_s = tr->per_s;
	/* Without a cap (a reload took it away) nothing is below it. */
	bool far = cap > 0 && tr->per_s < RATE_WATCH_BELOW * cap;
	bool back = cap <= 0 || tr->per_s >= RATE_WATCH_BACK * cap;
	if (!tr->below && far) {
		tr->below = true;
		tr->below_since = t;
		return RATE_BELOW;
	}
	if (tr->below && back) {
		tr->below = false;
		*below_s = t - tr->below_since;
		return RATE_BACK;
	}
	return RATE_SAME;
}

void rate_watch_free(struct rate_watch *w)
{
	free(w->tr);
	memset(w, 0, sizeof(*w));
}
