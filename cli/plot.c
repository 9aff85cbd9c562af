#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "cli/plot.h"

#define MARGIN_T 28.0
#define MARGIN_B 34.0

struct png_buf {
	unsigned char *data;
	size_t len, cap;
};

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct png_buf *b = closure;
	if (b->len + length > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		while (cap < b->len + length)
			cap *= 2;
		unsigned char *n = realloc(b->data, cap);
		if (!n)
			return CAIRO_STATUS_NO_MEMORY;
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, length);
	b->len += length;
	return CAIRO_STATUS_SUCCESS;
}

struct frame {
	double x0, x1, y0, y1;      /* data range */
	double left, right, top, bottom;
};

static double px(const struct frame *f, double x)
{
	return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double py(const struct frame *f, double y)
{
	return f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
}

static void data_range(const struct plot *p, struct frame *f)
{
	f->x0 = 0;
	f->x1 = p->span_s > 0 ? p->span_s : 1;
	f->y0 = INFINITY;
	f->y1 = -INFINITY;
	for (size_t i = 0; i < p->s.n; i++) {
		f->y0 = fmin(f->y0, p->s.lo[i]);
		f->y1 = fmax(f->y1, p->s.hi[i]);
	}
	if (!isfinite(f->y0)) {
		f->y0 = 0;
		f->y1 = 1;
	}
	double pad = (f->y1 - f->y0) * 0.05;
	if (pad <= 0)
		pad = fabs(f->y0) * 0.05 + 1;
	f->y0 -= pad;
	f->y1 += pad;
}

static void label(cairo_t *cr, double x, double y, const char *text, double align)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, text, &e);
	cairo_move_to(cr, x - e.width * align, y);
	cairo_show_text(cr, text);
}

double plot_nice_step(double range, int max_ticks)
{
	if (!(range > 0) || max_ticks < 1)
		return 1;
	double raw = range / max_ticks, mag = pow(10, floor(log10(raw)));
	static const double steps[] = { 1, 2, 5, 10 };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * mag >= raw)
			return steps[i] * mag;
	return 10 * mag;
}

/* v in the metric's unit as a short label: bytes and kB in binary
 * multiples, counts with k/M, always a round number of the step. */
static void value_label(double v, const char *unit, char *buf, size_t len)
{
	double bytes = unit && strcmp(unit, "kB") == 0 ? v * 1024 : v;
	bool is_bytes = unit && (strcmp(unit, "bytes") == 0 || strcmp(unit, "kB") == 0);
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	static const char *const dec[] = { "", "k", "M", "G", "T" };
	double base = is_bytes ? 1024 : 1000, x = is_bytes ? bytes : v;
	int k = 0;
	while (fabs(x) >= base && k < 4) {
		x /= base;
		k++;
	}
	const char *suffix = is_bytes ? bin[k] : dec[k];
	const char *u = !is_bytes && unit && strcmp(unit, "ms") == 0 ? " ms" : "";
	if (x == floor(x))
		snprintf(buf, len, "%.0f%s%s%s", x, is_bytes ? " " : "", suffix, u);
	else
		snprintf(buf, len, "%.3g%s%s%s", x, is_bytes ? " " : "", suffix, u);
}

/* The y ticks: every multiple of the nice step within the range; for
 * bytes and kB a nice step of KiB, MiB, ... so the labels are round too. */
static int y_ticks(const struct frame *f, const char *unit, double *t, int max)
{
	double mult = unit && strcmp(unit, "kB") == 0 ? 1024 : 1;
	bool is_bytes = unit && (strcmp(unit, "bytes") == 0 || strcmp(unit, "kB") == 0);
	double range = (f->y1 - f->y0) * mult, scale = 1;
	while (is_bytes && range / scale >= 1024)
		scale *= 1024;
	double step = plot_nice_step(range / scale, 5) * scale / mult;
	int n = 0;
	for (double y = ceil(f->y0 / step) * step; y <= f->y1 + step * 1e-9 && n < max; y += step)
		t[n++] = fabs(y) < step * 1e-9 ? 0 : y;
	return n;
}

void plot_y_ticks(const struct plot *p, char *buf, size_t len)
{
	struct frame f;
	data_range(p, &f);
	double t[16];
	int n = y_ticks(&f, p->unit, t, 16);
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		char l[32];
		value_label(t[i], p->unit, l, sizeof(l));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", l);
	}
}

/* The x ticks: a round step of wall-clock time (UTC) for the span. */
static double time_step(double span)
{
	static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
					 10800, 21600, 43200, 86400, 172800, 604800 };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] <= 6)
			return steps[i];
	return 604800;
}

static void draw_axes(cairo_t *cr, const struct plot *p, const struct frame *f)
{
	char buf[64];
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
	cairo_stroke(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	double t[16];
	int n = y_ticks(f, p->unit, t, 16);
	for (int i = 0; i < n; i++) {
		value_label(t[i], p->unit, buf, sizeof(buf));
		label(cr, f->left - 5, py(f, t[i]) + 4, buf, 1.0);
		cairo_move_to(cr, f->left - 3, py(f, t[i]));
		cairo_line_to(cr, f->left, py(f, t[i]));
		cairo_stroke(cr);
	}
	/* Wall-clock ticks at round times of day. */
	double step = time_step(f->x1 - f->x0);
	double first = ceil((p->start + f->x0) / step) * step;
	for (double a = first; a <= p->start + f->x1; a += step) {
		time_t tt = (time_t)a;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(buf, sizeof(buf), step >= 86400 ? "%m-%d" : step >= 60 ? "%H:%M" : "%H:%M:%S", &tm);
		double x = px(f, a - p->start);
		label(cr, x, f->bottom + 15, buf, 0.5);
		cairo_move_to(cr, x, f->bottom);
		cairo_line_to(cr, x, f->bottom + 3);
		cairo_stroke(cr);
	}
	label(cr, f->right, f->bottom + 29, "UTC", 1.0);
	cairo_set_font_size(cr, 13);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	snprintf(buf, sizeof(buf), "%s", p->title);
	label(cr, f->left, 18, buf, 0);
	if (p->unit && p->unit[0]) {
		cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
		cairo_set_font_size(cr, 11);
		snprintf(buf, sizeof(buf), "(%s)", p->unit);
		label(cr, f->left - 5, 18, buf, 1.0);
	}
}

static void draw_data(cairo_t *cr, const struct plot *p, const struct frame *f)
{
	const struct plot_series *s = &p->s;
	/* The min-max band of the values. */
	if (s->n) {
		cairo_set_source_rgba(cr, 0.2, 0.45, 0.85, 0.25);
		cairo_move_to(cr, px(f, s->x[0]), py(f, s->hi[0]));
		for (size_t i = 1; i < s->n; i++)
			cairo_line_to(cr, px(f, s->x[i]), py(f, s->hi[i]));
		for (size_t i = s->n; i-- > 0;)
			cairo_line_to(cr, px(f, s->x[i]), py(f, s->lo[i]));
		cairo_close_path(cr);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.2, 0.45, 0.85);
		cairo_set_line_width(cr, 1);
		for (size_t i = 0; i < s->n; i++)
			(i ? cairo_line_to : cairo_move_to)(cr, px(f, s->x[i]), py(f, s->mean[i]));
		cairo_stroke(cr);
	}
	/* The floors, and the trend fitted through them. */
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	cairo_set_line_width(cr, 2);
	for (size_t i = 0; i < s->nf; i++)
		(i ? cairo_line_to : cairo_move_to)(cr, px(f, s->fx[i]), py(f, s->fy[i]));
	cairo_stroke(cr);
	if (s->nf >= 2 && isfinite(p->trend_per_s)) {
		double mx = 0, my = 0;
		for (size_t i = 0; i < s->nf; i++) {
			mx += s->fx[i] / (double)s->nf;
			my += s->fy[i] / (double)s->nf;
		}
		double a = s->fx[0], b = s->fx[s->nf - 1];
		cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
		cairo_set_line_width(cr, 2);
		cairo_move_to(cr, px(f, a), py(f, my + p->trend_per_s * (a - mx)));
		cairo_line_to(cr, px(f, b), py(f, my + p->trend_per_s * (b - mx)));
		cairo_stroke(cr);
		if (p->trend_label) {
			cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
			cairo_set_font_size(cr, 12);
			label(cr, f->left + 60, f->top + 14, p->trend_label, 0); /* clear of the data's corner */
		}
	}
	if (isfinite(p->onset_x)) {
		static const double dash[] = { 2, 2 };
		cairo_set_source_rgb(cr, 0.0, 0.55, 0.2);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, 1.5);
		cairo_move_to(cr, px(f, p->onset_x), f->top);
		cairo_line_to(cr, px(f, p->onset_x), f->bottom);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		cairo_set_font_size(cr, 11);
		label(cr, px(f, p->onset_x) + 4, f->top + 12, "onset", 0);
	}
}

static void draw_markers(cairo_t *cr, const struct plot *p, const struct frame *f)
{
	static const double dash[] = { 4, 3 };
	cairo_set_dash(cr, dash, 2, 0);
	cairo_set_line_width(cr, 1.5);
	for (size_t i = 0; i < p->nmarkers; i++) {
		const struct plot_marker *m = &p->markers[i];
		if (m->x < f->x0 || m->x > f->x1)
			continue;
		if (m->kind == PLOT_GAP)
			cairo_set_source_rgb(cr, 0.8, 0.0, 0.0);
		else
			cairo_set_source_rgb(cr, 0.95, 0.55, 0.0);
		cairo_move_to(cr, px(f, m->x), f->top);
		cairo_line_to(cr, px(f, m->x), f->bottom);
		cairo_stroke(cr);
	}
	cairo_set_dash(cr, NULL, 0, 0);
}

void plot_cleanup(void)
{
	cairo_debug_reset_static_data();
	FcFini(); /* cairo's text goes through fontconfig */
}

int plot_png(const struct plot *p, int width, int height, unsigned char **png, size_t *len,
	     char *err, size_t errlen)
{
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
	cairo_t *cr = cairo_create(sf);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	struct frame f = { .left = PLOT_MARGIN_L, .right = width - PLOT_MARGIN_R, .top = MARGIN_T,
			   .bottom = height - MARGIN_B };
	data_range(p, &f);
	cairo_save(cr);
	cairo_rectangle(cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
	cairo_clip(cr);
	draw_data(cr, p, &f);
	draw_markers(cr, p, &f);
	cairo_restore(cr);
	draw_axes(cr, p, &f);
	struct png_buf b = { 0 };
	cairo_status_t st = cairo_status(cr);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png_stream(sf, png_write, &b);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cairo: %s", cairo_status_to_string(st));
		free(b.data);
		return -1;
	}
	*png = b.data;
	*len = b.len;
	return 0;
}
