#include <math.h>

#include "analysis/floors.h"
#include "analysis/stats.h"

size_t gs_windows(const struct gs_point *pts, size_t n, double t_first, double w, int k,
		  struct gs_window *out)
{
	size_t nw = 0;
	for (size_t a = 0; a < n;) {
		struct gs_window x = { .i = (long)((pts[a].t - t_first) / w), .vmin = pts[a].lo,
				       .vmax = pts[a].hi, .t0 = pts[a].t, .c0 = pts[a].c };
		double sum = 0;
		size_t b = a;
		for (; b < n && (long)((pts[b].t - t_first) / w) == x.i; b++) {
			x.vmin = fmin(x.vmin, pts[b].lo);
			x.vmax = fmax(x.vmax, pts[b].hi);
			x.t0 = fmin(x.t0, pts[b].t);
			x.c0 = fmin(x.c0, pts[b].c);
			sum += pts[b].mid;
		}
		x.n = b - a;
		x.vmean = sum / (double)x.n;
		if ((double)x.n >= 0.5 * k)
			out[nw++] = x;
		a = b;
	}
	return nw;
}

/* The last window's floor (j = nw - 1 >= 3), per gs_floors. */
static double last_floor(const struct gs_window *win, size_t j)
{
	const struct gs_window *x = &win[j];
	double f1 = gs_median3(x->vmin, win[j - 1].vmin, win[j - 2].vmin);
	double f2 = gs_median3(win[j - 1].vmin, win[j - 2].vmin, win[j - 3].vmin);
	double swing1 = fmax(win[j - 1].vmax - win[j - 1].vmin, win[j - 2].vmax - win[j - 2].vmin);
	if (x->vmax - x->vmin > 2 * swing1 && x->vmin < 2 * f1 - f2 - swing1)
		return fmin(f1, 2 * f1 - f2);
	return x->vmin;
}

void gs_floors(struct gs_window *win, size_t nw)
{
	for (size_t j = 0; j < nw; j++) {
		if (j > 0 && j + 1 < nw)
			win[j].f = gs_median3(win[j - 1].vmin, win[j].vmin, win[j + 1].vmin);
		else if (j > 0 && j >= 3)
			win[j].f = last_floor(win, j);
		else
			win[j].f = win[j].vmin;
	}
}
