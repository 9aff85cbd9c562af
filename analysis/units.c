#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/units.h"

/* v (>= 0) with the fewest decimals that keep three significant digits
 * (at most two decimals), into buf after prefix. */
static void digits(char *buf, size_t len, const char *prefix, double v, const char *suffix)
{
	int dec = v >= 100 || v == 0 ? 0 : v >= 10 ? 1 : 2;
	char num[64];
	snprintf(num, sizeof(num), "%.*f", dec, v);
	/* "2.50" reads as "2.5", "3.0" as "3". */
	if (strchr(num, '.')) {
		size_t n = strlen(num);
		while (num[n - 1] == '0')
			num[--n] = '\0';
		if (num[n - 1] == '.')
			num[n - 1] = '\0';
	}
	snprintf(buf, len, "%s%s%s", prefix, num, suffix);
}

/* Scale a >= 0 by step until below step, at most nsuffix - 1 times; the
 * suffix index. */
static int scale(double *a, double step, int nsuffix)
{
	int i = 0;
	/* 999.6 would print as 1000: move it up a step as well. */
	while (i + 1 < nsuffix && *a >= step * 0.9995) {
		*a /= step;
		i++;
	}
	return i;
}

char *gs_count(char *buf, size_t len, double v)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T", "P" };
	if (isnan(v) || isinf(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	double a = fabs(v);
	int i = scale(&a, 1000, 6);
	digits(buf, len, v < 0 ? "-" : "", a, sfx[i]);
	return buf;
}

char *gs_quantity(char *buf, size_t len, double v, const char *unit, int sign)
{
	static const char *const bin[] = { " bytes", " KiB", " MiB", " GiB", " TiB", " PiB" };
	if (isnan(v) || isinf(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	const char *pre = v < 0 ? "-" : sign && v > 0 ? "+" : "";
	double a = fabs(v);
	if (unit && (strcmp(unit, "bytes") == 0 || strcmp(unit, "kB") == 0)) {
		if (strcmp(unit, "kB") == 0)
			a *= 1024; /* /proc/meminfo's kB are KiB */
		int i = scale(&a, 1024, 6);
		digits(buf, len, pre, a, bin[i]);
		return buf;
	}
	char n[64];
	gs_count(n, sizeof(n), a);
	snprintf(buf, len, "%s%s", pre, n);
	return buf;
}

char *gs_rate_per_hour(char *buf, size_t len, double per_hour, const char *unit)
{
	char q[64];
	gs_quantity(q, sizeof(q), per_hour, unit, 1);
	snprintf(buf, len, "%s%s", q, isnan(per_hour) || isinf(per_hour) ? "" : "/h");
	return buf;
}
