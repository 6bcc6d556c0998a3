/* Shaped glyphs drawn as filled outlines on a libharu page (what libharu's text operators cannot place). */
#ifndef EC_OUTLINE_H
#define EC_OUTLINE_H

#include <stdint.h>
#include <hb.h>
#include <hpdf.h>

/*
 * Fill glyph gid of font at (x, y), in the font's own units (the caller has set the page's matrix
 * to scale them): one path and one nonzero fill per glyph, so that overlapping glyphs (a mark on
 * its base, a joined letter) never cancel each other. Quadratic curves become cubic ones with
 * control points rounded to whole units. Returns libharu's status of the page.
 */
HPDF_STATUS ec_outline_fill(HPDF_Page page, hb_font_t *font, uint32_t gid, long x, long y);

#endif
