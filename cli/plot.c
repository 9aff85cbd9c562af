#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "cli/plot.h"

#define MARGIN_L 70.0
#define MARGIN_R 15.0
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

static void draw_axes(cairo_t *cr, const struct plot *p, const struct frame *f)
{
	char buf[64];
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
	cairo_stroke(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	for (int i = 0; i <= 4; i++) {
		double y = f->y0 + (f->y1 - f->y0) * i / 4.0;
		snprintf(buf, sizeof(buf), "%.6g", y);
		label(cr, f->left - 5, py(f, y) + 4, buf, 1.0);
		double x = f->x0 + (f->x1 - f->x0) * i / 4.0;
		snprintf(buf, sizeof(buf), "%.1f h", x / 3600.0);
		label(cr, px(f, x), f->bottom + 15, buf, i == 0 ? 0 : i == 4 ? 1.0 : 0.5);
	}
	cairo_set_font_size(cr, 13);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	label(cr, f->left, 18, p->title, 0);
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
	struct frame f = { .left = MARGIN_L, .right = width - MARGIN_R, .top = MARGIN_T,
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
