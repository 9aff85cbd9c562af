/* One metric's plot for `gemsoak report`, drawn with cairo into a PNG in
 * memory: the values (min-max band and mean per bucket), the window floors,
 * the fitted floor trend, and vertical markers for gaps and restarts. */
#ifndef GS_CLI_PLOT_H
#define GS_CLI_PLOT_H

#include <stddef.h>

struct plot_series {
	double *x, *lo, *hi, *mean;   /* per bucket; x in seconds from the start */
	size_t n;
	double *fx, *fy;              /* window floors */
	size_t nf;
};

struct plot_marker {
	double x;
	int kind;   /* PLOT_GAP or PLOT_RESTART */
};
enum { PLOT_GAP = 1, PLOT_RESTART = 2 };

struct plot {
	const char *title;
	struct plot_series s;
	double trend_per_s;           /* slope of the floor trend line; NaN: none */
	const struct plot_marker *markers;
	size_t nmarkers;
	double span_s;                /* x range: 0 .. span_s */
};

/* Render to a malloc'd PNG (*png, *len). 0, or -1 with err filled. */
int plot_png(const struct plot *p, int width, int height, unsigned char **png, size_t *len,
	     char *err, size_t errlen);

/* Release cairo's caches (fonts) once no plot is drawn any more, so leak
 * checkers see only real leaks. */
void plot_cleanup(void);

#endif
