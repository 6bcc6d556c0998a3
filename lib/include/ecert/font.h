/* Font files loaded once per process: fallback chains, coverage, HarfBuzz fonts and per-document subsets. */
#ifndef EC_FONT_H
#define EC_FONT_H

#include <stddef.h>
#include <stdint.h>
#include <hb.h>
#include "template.h"

/*
 * The fonts of one template: its families (fallback chains, same order and indices as the
 * template's families) over a set of distinct font files, each parsed once into a HarfBuzz face
 * and font. Read-only after loading, so one ec_fonts may serve several threads.
 */
struct ec_fonts;

/*
 * Open every font file t names (each distinct path and face index once). EC_ERR_NOTFOUND / EC_ERR_IO
 * when a file cannot be read, EC_ERR_SYNTAX for a file that is not a font or lacks the face index,
 * EC_ERR_UNSUPPORTED for a font without TrueType outlines (libharu embeds only those) or without a
 * Unicode character map. t may be freed afterwards; *out is the caller's, freed with ec_fonts_free.
 */
int ec_fonts_load(const struct ec_template *t, struct ec_fonts **out);
void ec_fonts_free(struct ec_fonts *f);

/* Number of distinct font files; font indices below run from 0 to this minus one. */
unsigned ec_fonts_count(const struct ec_fonts *f);

/* Number of families (the template's). */
unsigned ec_fonts_families(const struct ec_fonts *f);

/* The first font of family's chain that has a glyph for cp, or -1. */
int ec_font_pick(const struct ec_fonts *f, unsigned family, uint32_t cp);

/* Whether font has a glyph for cp in its character map. */
int ec_font_covers(const struct ec_fonts *f, unsigned font, uint32_t cp);

/* The HarfBuzz font of a file, at its own units per em (scale = upem). Owned by f; read-only. */
hb_font_t *ec_font_hb(const struct ec_fonts *f, unsigned font);

/* Units per em of font's outlines. */
unsigned ec_font_upem(const struct ec_fonts *f, unsigned font);

/* The height of font's capital letters in thousandths of an em: its OS/2 table's, else its 'H' glyph's. */
int ec_font_cap_height(const struct ec_fonts *f, unsigned font);

/* The path of a font file, for messages. */
const char *ec_font_path(const struct ec_fonts *f, unsigned font);

/*
 * The character code of the i-th character of a subset: two bytes, neither of them zero (libharu
 * takes PDF text as C strings), 0x0101 to 0x01ff for the first 255, then 0x0201...; at most
 * EC_FONT_CODES characters.
 */
#define EC_FONT_CODE(i) ((unsigned)((((i) / 255 + 1) << 8) | ((i) % 255 + 1)))
/* A format 4 character map's 16-bit length bounds a subset's characters. */
#define EC_FONT_CODES 32000

/*
 * A TrueType font program holding only the glyphs font needs for the code points cps[0..n)
 * (ascending, distinct, 1 <= n <= EC_FONT_CODES; and what they compose with), made by HarfBuzz's
 * subsetter: without hinting and without the layout tables (shaping happens before a PDF is
 * written). Its character map is renumbered: code EC_FONT_CODE(i) shows cps[i], so that a PDF
 * font built on it needs a CID-to-glyph map and widths over a few hundred codes, not over the whole
 * Basic Multilingual Plane (the PDF's /ToUnicode says which character each code is). The same input
 * gives the same bytes. *out is malloc'd for the caller (free()). EC_ERR_NOMEM, EC_ERR_TOOBIG,
 * EC_ERR_UNSUPPORTED when HarfBuzz cannot subset the font.
 */
int ec_font_subset(const struct ec_fonts *f, unsigned font, const uint32_t *cps, size_t n, unsigned char **out,
    size_t *outlen);

/*
 * The part of a TrueType program (ec_font_subset's) that a PDF embeds for a CIDFontType2 font:
 * the tables that draw its glyphs (glyf, loca, head, hhea, hmtx, maxp, and the hinting ones when
 * present). *out is malloc'd for the caller (free()). EC_ERR_NOMEM, EC_ERR_TOOBIG past 4 GiB, or
 * EC_ERR_SYNTAX when prog is no font with glyphs.
 */
int ec_font_embedded(const unsigned char *prog, size_t len, unsigned char **out, size_t *outlen);

#endif
