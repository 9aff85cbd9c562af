#include <math.h>

#include "analysis/changepoint.h"

/* Running sums of one part's points: count, u, f, u^2, f^2, u f. */
struct sums {
	double n, u, f, uu, ff, uf;
};

static void add(struct sums *s, double u, double f, double sign)
{
	s->n += sign, s->u += sign * u, s->f += sign * f;
	s->uu += sign * u * u, s->ff += sign * f * f, s->uf += sign * u * f;
}

/* The sum of squared residuals about the least-squares line of a part
 * (about its mean when its u does not vary), never below 0. */
static double sse(const struct sums *s)
{
	double suu = s->uu - s->u * s->u / s->n, sff = s->ff - s->f * s->f / s->n;
	double suf = s->uf - s->u * s->f / s->n;
	double r = suu > 1e-9 * fmax(s->uu, 1) ? sff - suf * suf / suu : sff;
	return fmax(r, 0);
}

void gs_changepoint(const double *u, const double *f, size_t n, size_t min_head, size_t min_tail,
		    struct gs_split *out)
{
	*out = (struct gs_split){ 0 };
	if (min_head == 0 || min_tail < 3 || n < min_head + min_tail)
		return;
	/* values less the first point's: the sums of squares keep their digits */
	struct sums head = { 0 }, tail = { 0 };
	for (size_t j = 0; j < n; j++)
		add(j < min_head ? &head : &tail, u[j] - u[0], f[j] - f[0], 1);
	struct sums all = head;
	all.n += tail.n, all.u += tail.u, all.f += tail.f;
	all.uu += tail.uu, all.ff += tail.ff, all.uf += tail.uf;
	out->s = min_head;
	out->sse1 = sse(&all);
	out->sse2 = sse(&head) + sse(&tail);
	for (size_t s = min_head + 1; s + min_tail <= n; s++) {
		add(&head, u[s - 1] - u[0], f[s - 1] - f[0], 1);
		add(&tail, u[s - 1] - u[0], f[s - 1] - f[0], -1);
		double e = sse(&head) + sse(&tail);
		if (e < out->sse2) {
			out->sse2 = e;
			out->s = s;
		}
	}
	out->sse2 = fmin(out->sse2, out->sse1);
}
