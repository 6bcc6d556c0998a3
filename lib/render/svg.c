/* A shaped line as an inline SVG path: how a name will print, shown in a page before it is signed. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>

#include <hb.h>

#include "buf.h"
#include "err.h"
#include "shape.h"
#include "svg.h"

#define UNITS 1000.0             /* every font's em scaled to this, so a chain of fonts shares one grid */

struct pen {
	struct ec_buf *b;
	double x, y, k;          /* the glyph's origin and its font's units to UNITS */
};

static hb_draw_funcs_t *funcs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* SVG's y grows downwards: the baseline is y = 0, ascenders negative. */
static void
pt(struct pen *p, float x, float y)
{
	ec_buf_addf(p->b, " %ld %ld", lround(p->x + x * p->k), lround(-(p->y + y * p->k)));
}

static void
move_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float x, float y, void *u)
{
	(void)df, (void)st, (void)u;
	ec_buf_adds(((struct pen *)data)->b, "M");
	pt(data, x, y);
}

static void
line_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float x, float y, void *u)
{
	(void)df, (void)st, (void)u;
	ec_buf_adds(((struct pen *)data)->b, "L");
	pt(data, x, y);
}

static void
quad_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float cx, float cy, float x, float y, void *u)
{
	(void)df, (void)st, (void)u;
	ec_buf_adds(((struct pen *)data)->b, "Q");
	pt(data, cx, cy);
	pt(data, x, y);
}

static void
cubic_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float c1x, float c1y, float c2x, float c2y,
    float x, float y, void *u)
{
	(void)df, (void)st, (void)u;
	ec_buf_adds(((struct pen *)data)->b, "C");
	pt(data, c1x, c1y);
	pt(data, c2x, c2y);
	pt(data, x, y);
}

static void
close_path(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, void *u)
{
	(void)df, (void)st, (void)u;
	ec_buf_adds(((struct pen *)data)->b, "Z");
}

static void
make_funcs(void)
{
	funcs = hb_draw_funcs_create();
	hb_draw_funcs_set_move_to_func(funcs, move_to, NULL, NULL);
	hb_draw_funcs_set_line_to_func(funcs, line_to, NULL, NULL);
	hb_draw_funcs_set_quadratic_to_func(funcs, quad_to, NULL, NULL);
	hb_draw_funcs_set_cubic_to_func(funcs, cubic_to, NULL, NULL);
	hb_draw_funcs_set_close_path_func(funcs, close_path, NULL, NULL);
	hb_draw_funcs_make_immutable(funcs);
}

int
ec_svg_line(const struct ec_fonts *f, unsigned family, const char *utf8, const char *label, const char *colour,
    struct ec_buf *out)
{
	struct ec_line l;
	struct ec_buf path;
	struct pen p;
	const struct ec_run *run;
	const struct ec_sglyph *g;
	double x = 0;
	size_t i, j;
	int r;

	pthread_once(&once, make_funcs);
	ec_buf_init(&path);
	if ((r = ec_shape_line(f, family, utf8, &l)))
		goto out;
	p.b = &path;
	for (i = 0; i < l.nrun; i++) {
		run = &l.run[i];
		p.k = UNITS / ec_font_upem(f, run->font);
		for (j = 0; j < run->ng; j++) {
			g = &l.g[run->g0 + j];
			p.x = x + g->x_off * p.k;
			p.y = g->y_off * p.k;
			hb_font_get_glyph_shape(ec_font_hb(f, run->font), g->gid, funcs, &p);
			x += g->advance * p.k;
		}
	}
	if (path.err) {
		r = path.err;
		goto out;
	}
	/* role img with the name as its label: a screen reader reads the name, not the shapes */
	ec_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-50 -1100 %ld 1450\" role=\"img\" "
	    "aria-label=\"", lround(x + 100));
	ec_buf_html(out, label);
	ec_buf_addf(out, "\" preserveAspectRatio=\"xMinYMid meet\"><path fill=\"%s\" d=\"", colour);
	ec_buf_add(out, path.p ? path.p : "", path.len);
	ec_buf_adds(out, "\"/></svg>");
	r = out->err;
out:
	ec_line_free(&l);
	ec_buf_free(&path);
	return r;
}
