#include <math.h>
#include <stdlib.h>

#include "analysis/stats.h"

static double clamp_z(double z)
{
	return z < -GS_Z_MAX ? -GS_Z_MAX : z > GS_Z_MAX ? GS_Z_MAX : z;
}

double gs_normal_cdf(double z)
{
	return 1 / (1 + exp(-1.5976 * z - 0.07056 * z * z * z));
}

double gs_t_to_z(double t, double df)
{
	double t2 = t * t < 1e12 ? t * t : 1e12;
	double sign = t < 0 ? -1 : 1;
	return clamp_z(sign * (8.0 * df + 1) / (8.0 * df + 3) * sqrt(df * log(1 + t2 / df)));
}

double gs_z_continuity(double s, double var)
{
	return clamp_z((s - 1) / sqrt(var));
}

void gs_ols(const double *x, const double *y, size_t n, struct gs_fit *fit)
{
	double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
		mxx += x[i] * x[i];
		myy += y[i] * y[i];
		mxy += x[i] * y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	mxx /= (double)n;
	myy /= (double)n;
	mxy /= (double)n;
	double vx = mxx - mx * mx, vy = myy - my * my, cxy = mxy - mx * my;
	fit->slope = fit->r2 = fit->se = NAN;
	if (n == 0 || !(vx > 1e-9))
		return;
	fit->slope = cxy / vx;
	fit->r2 = vy > 1e-9 ? cxy * cxy / (vx * vy) : 0;
	if (n > 2)
		fit->se = sqrt(fmax(0, vy - cxy * cxy / vx) / (double)(n - 2) / vx);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void gs_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double gs_theil_sen(const double *x, const double *y, size_t n, double *scratch)
{
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] > x[i])
				scratch[np++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (np == 0)
		return NAN;
	gs_sort(scratch, np);
	/* the view's rows (np + 1) / 2 and (np + 2) / 2, counted from 1 */
	return (scratch[(np + 1) / 2 - 1] + scratch[(np + 2) / 2 - 1]) / 2;
}

long gs_mk_s(const double *x, const double *y, size_t n, double m)
{
	long s = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			if (!(x[j] > x[i]))
				continue;
			double slope = (y[j] - y[i]) / (x[j] - x[i]);
			s += (slope > m) - (slope < m);
		}
	return s;
}

double gs_mk_variance(size_t n, const size_t *tie_sizes, size_t ngroups)
{
	double dn = (double)n;
	double v = dn * (dn - 1) * (2 * dn + 5);
	for (size_t g = 0; g < ngroups; g++) {
		double t = (double)tie_sizes[g];
		v -= t * (t - 1) * (2 * t + 5);
	}
	return v / 18;
}

void gs_tie_groups(const double *y, size_t n, size_t *tie_sizes, size_t *ngroups, double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = y[i];
	gs_sort(scratch, n);
	*ngroups = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && scratch[j] == scratch[i])
			j++;
		if (j - i > 1)
			tie_sizes[(*ngroups)++] = j - i;
		i = j;
	}
}

double gs_median3(double a, double b, double c)
{
	return fmax(fmin(a, b), fmin(fmax(a, b), c));
}

double gs_tukey_endpoint(double e, double n1, double n2)
{
	return gs_median3(e, n1, 3 * n1 - 2 * n2);
}
