/* Glyph outlines from HarfBuzz's draw callbacks, written as libharu path operators. */
#include <math.h>
#include <pthread.h>

#include "outline.h"

struct pen {
	HPDF_Page page;
	long x, y;
	int drawn;
};

static hb_draw_funcs_t *funcs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static HPDF_REAL
px(const struct pen *p, float v)
{
	return (HPDF_REAL)(p->x + lroundf(v));
}

static HPDF_REAL
py(const struct pen *p, float v)
{
	return (HPDF_REAL)(p->y + lroundf(v));
}

static void
move_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float x, float y, void *u)
{
	struct pen *p = data;

	(void)df, (void)st, (void)u;
	HPDF_Page_MoveTo(p->page, px(p, x), py(p, y));
	p->drawn = 1;
}

static void
line_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float x, float y, void *u)
{
	struct pen *p = data;

	(void)df, (void)st, (void)u;
	HPDF_Page_LineTo(p->page, px(p, x), py(p, y));
}

static void
quad_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float cx, float cy, float x, float y, void *u)
{
	struct pen *p = data;
	float x0 = st->current_x, y0 = st->current_y;

	(void)df, (void)u;
	/* The cubic with the same curve: control points two thirds of the way to the quadratic one. */
	HPDF_Page_CurveTo(p->page, px(p, x0 + 2 * (cx - x0) / 3), py(p, y0 + 2 * (cy - y0) / 3),
	    px(p, x + 2 * (cx - x) / 3), py(p, y + 2 * (cy - y) / 3), px(p, x), py(p, y));
}

static void
cubic_to(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, float c1x, float c1y, float c2x, float c2y,
    float x, float y, void *u)
{
	struct pen *p = data;

	(void)df, (void)st, (void)u;
	HPDF_Page_CurveTo(p->page, px(p, c1x), py(p, c1y), px(p, c2x), py(p, c2y), px(p, x), py(p, y));
}

static void
close_path(hb_draw_funcs_t *df, void *data, hb_draw_state_t *st, void *u)
{
	struct pen *p = data;

	(void)df, (void)st, (void)u;
	HPDF_Page_ClosePath(p->page);
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

HPDF_STATUS
ec_outline_fill(HPDF_Page page, hb_font_t *font, uint32_t gid, long x, long y)
{
	struct pen p = { page, x, y, 0 };

	pthread_once(&once, make_funcs);
	hb_font_get_glyph_shape(font, gid, funcs, &p);
	/* A glyph without contours (a space) leaves no path to fill. */
	return p.drawn ? HPDF_Page_Fill(page) : HPDF_OK;
}
