/* A shaped line drawn as an inline SVG path (lib/render/svg.c), from the fonts that will print it. */
#ifndef EC_SVG_H
#define EC_SVG_H

#include "buf.h"
#include "font.h"

/*
 * Shape utf8 with family of f (ec_shape_line) and append to out an <svg> element whose one path is
 * the glyphs' outlines, filled in colour (a literal such as "#1a1a1a"), labelled label for assistive
 * technology. Errors as ec_shape_line.
 */
int ec_svg_line(const struct ec_fonts *f, unsigned family, const char *utf8, const char *label, const char *colour,
    struct ec_buf *out);

#endif
