/* One line of text made ready to print: a font for each character, bidi runs, HarfBuzz glyphs. */
#ifndef EC_SHAPE_H
#define EC_SHAPE_H

#include <stddef.h>
#include <stdint.h>
#include "font.h"

#define EC_SHAPE_MAX 1024    /* code points in one line */

/* One glyph as HarfBuzz placed it, in units of its font's em (ec_font_upem). */
struct ec_sglyph {
	uint32_t gid;
	int32_t advance, x_off, y_off;
};

/*
 * A run: characters in one font, one script and one bidi level, shaped together.
 * A plain run is what a PDF text operator draws by itself: left to right, each character its
 * font's own glyph at its own advance, nothing reordered, joined or moved (Latin, Greek,
 * Cyrillic, CJK, Hangul, usually). Any other run (Arabic, Hebrew, Devanagari, Thai with marks...)
 * must be drawn from its glyphs.
 */
struct ec_run {
	unsigned font;
	int rtl;                     /* an odd bidi level: its characters read right to left */
	int plain;
	size_t cp0, ncp;             /* its characters: cp[cp0 .. cp0 + ncp) of the line, in logical order */
	size_t g0, ng;               /* its glyphs: g[g0 .. g0 + ng), left to right on the page */
	int64_t advance;             /* the sum of its glyphs' advances */
};

struct ec_line {
	uint32_t *cp;                /* the characters, in logical (typed) order */
	size_t ncp;
	struct ec_run *run;          /* runs in visual order, left to right */
	size_t nrun;
	struct ec_sglyph *g;
	size_t ng;
};

/*
 * Shape utf8 with family's fallback chain: each character takes the first font of the chain that
 * has it (a combining mark, or punctuation inside a run, stays in its neighbour's font when that
 * font has it; a space does not, so that it never joins a right-to-left run); the paragraph is
 * left to right, as the page is, with right-to-left runs inside it (Unicode bidi algorithm,
 * libfribidi); each run is shaped by HarfBuzz with kerning and optional ligatures off. EC_ERR_SYNTAX "no font covers U+XXXX 'c', ..." naming every character
 * (up to 8) the chain cannot print, or for invalid UTF-8; EC_ERR_TOOBIG over EC_SHAPE_MAX code
 * points; EC_ERR_NOMEM. Free *out with ec_line_free (also after an error).
 */
int ec_shape_line(const struct ec_fonts *f, unsigned family, const char *utf8, struct ec_line *out);
void ec_line_free(struct ec_line *l);

/*
 * Width of l in points at size, with spacing points of letter spacing after every character of
 * plain runs but the line's last (shaped runs keep their natural spacing: joined scripts must).
 */
double ec_line_width(const struct ec_fonts *f, const struct ec_line *l, double size, double spacing);

/*
 * 0 when every family of f can print utf8; else the error of ec_shape_line for the first family
 * that cannot. What `apply` asks before it accepts a name.
 */
int ec_shape_check(const struct ec_fonts *f, const char *utf8);

#endif
