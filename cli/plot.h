/* One metric's plot for `gemsoak report`, drawn with cairo into a PNG in
 * memory: the values (min-max band and mean per bucket), the window floors,
 * the fitted floor trend, and vertical markers for gaps and restarts. */
#ifndef GS_CLI_PLOT_H
#define GS_CLI_PLOT_H

#include <stddef.h>

/* The plot area's left and right margins in pixels: its x axis runs from
 * PLOT_MARGIN_L to width - PLOT_MARGIN_R, which the report's verdict strip
 * under each plot lines up with. */
#define PLOT_MARGIN_L 70.0
#define PLOT_MARGIN_R 15.0

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
	const char *unit;             /* the metric's: count, bytes, kB, ms, cycles */
	struct plot_series s;
	double trend_per_s;           /* slope of the floor trend line; NaN: none */
	const char *trend_label;      /* written by the trend line, or NULL */
	double onset_x;               /* where the growth starts, marked; NaN: none */
	const struct plot_marker *markers;
	size_t nmarkers;
	double span_s;                /* x range: 0 .. span_s */
	double start;                 /* the run's start (Unix time): the x axis is UTC */
};

/* The tick step for a range: 1, 2 or 5 times a power of ten, giving at
 * most max_ticks ticks ("nice numbers"). */
double plot_nice_step(double range, int max_ticks);

/* The ticks of the y axis as their labels, comma-separated (the report
 * gives them next to each plot, so a reader and a test see the same). */
void plot_y_ticks(const struct plot *p, char *buf, size_t len);

/* Render to a malloc'd PNG (*png, *len). 0, or -1 with err filled. */
int plot_png(const struct plot *p, int width, int height, unsigned char **png, size_t *len,
	     char *err, size_t errlen);

/* Release cairo's caches (fonts) once no plot is drawn any more, so leak
 * checkers see only real leaks. */
void plot_cleanup(void);

#endif
