/* Font files loaded once per process: coverage checks, advances, metrics, and per-document subsets. */
#ifndef EC_FONT_H
#define EC_FONT_H

#include <stddef.h>
#include <stdint.h>
#include "template.h"

/*
 * The fonts of one template: its families (fallback chains, same order and indices as the
 * template's families) over a set of distinct font files, each parsed once into a cached HarfBuzz
 * face. Read-only after loading, so one ec_fonts may serve several threads.
 */
struct ec_fonts;

/*
 * Open every font file t names (each distinct path and face index once). EC_ERR_NOTFOUND / EC_ERR_IO
 * when a file cannot be read, EC_ERR_SYNTAX for a missing face index, EC_ERR_UNSUPPORTED for a
 * font without TrueType outlines (only those can be embedded) or with inconsistent tables.
 * t may be freed afterwards; *out is the caller's, freed with ec_fonts_free.
 */
int ec_fonts_load(const struct ec_template *t, struct ec_fonts **out);
void ec_fonts_free(struct ec_fonts *f);

/*
 * 0 when every character of utf8 can be printed by every family (so by any text item of the
 * template); else EC_ERR_SYNTAX "no font covers U+XXXX 'c'" listing the characters not covered
 * (characters outside the Basic Multilingual Plane never are), or EC_ERR_SYNTAX for invalid UTF-8.
 */
int ec_font_check_text(const struct ec_fonts *f, const char *utf8);

/* Number of distinct font files; font indices below run from 0 to this minus one. */
unsigned ec_fonts_count(const struct ec_fonts *f);

/* The first font of family's chain that has a glyph for cp, or -1. */
int ec_font_pick(const struct ec_fonts *f, unsigned family, uint32_t cp);

/* Advance width of cp in font, in thousandths of an em, rounded as a PDF /W array has it. */
unsigned ec_font_advance(const struct ec_fonts *f, unsigned font, uint32_t cp);

/* The path of a font file, for messages. */
const char *ec_font_path(const struct ec_fonts *f, unsigned font);

/* What a PDF font descriptor says of a font file, in thousandths of an em (from head, hhea, OS/2, post). */
struct ec_font_metrics {
	char psname[64];                 /* PostScript name, [A-Za-z0-9-] only; never empty */
	int bbox[4];                     /* xMin yMin xMax yMax */
	int ascent, descent, cap_height, italic_angle, stem_v;
};

/* The metrics of font, owned by f. */
const struct ec_font_metrics *ec_font_metrics(const struct ec_fonts *f, unsigned font);

/* Units per em of font's outlines. */
unsigned ec_font_upem(const struct ec_fonts *f, unsigned font);

/* One character of a subset: the font file that draws it and its code point. */
struct ec_glyph {
	unsigned font;
	uint32_t cp;
};

/* Bytes of a subset's offset table and table directory: its glyph data starts there. */
#define EC_FONT_DIR (12 + 16 * 6)

/*
 * The characters every document of a renderer shows (the template's fixed text), encoded once:
 * glyph 0 is an empty .notdef, glyph i + 1 draws g[i] (duplicates included), then the components
 * of composite glyphs. Outlines are scaled to the largest units per em among f's files, so that
 * any subset built on it shares the same bytes. *out is the caller's, freed with ec_font_prep_free.
 * EC_ERR_NOMEM, EC_ERR_TOOBIG over 65,535 glyphs, EC_ERR_UNSUPPORTED for a malformed glyph.
 */
struct ec_font_prep;
int ec_font_prepare(const struct ec_fonts *f, const struct ec_glyph *g, size_t n, struct ec_font_prep **out);
void ec_font_prep_free(struct ec_font_prep *p);

/* Glyphs in p, .notdef and components included: a subset's own characters are numbered from here. */
size_t ec_font_prep_glyphs(const struct ec_font_prep *p);

/* p's encoded glyph data (owned by p): every subset built on p has these bytes at offset EC_FONT_DIR. */
const unsigned char *ec_font_prep_glyf(const struct ec_font_prep *p, size_t *len);

/*
 * One TrueType font program, for a PDF CIDFontType2 font with an identity CID-to-glyph map: the
 * glyphs of p, then glyph ec_font_prep_glyphs(p) + i drawing g[i], then their components. The
 * characters may come from several font files. Only the tables a PDF font needs (glyf, head, hhea,
 * hmtx, loca, maxp), without instructions; the same input gives the same bytes. *out is malloc'd
 * for the caller (free()). Errors as ec_font_prepare.
 */
int ec_font_subset(const struct ec_fonts *f, const struct ec_font_prep *p, const struct ec_glyph *g, size_t n,
    unsigned char **out, size_t *outlen);

#endif
