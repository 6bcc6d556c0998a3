/* Font files loaded once per process: coverage checks, advances, and per-document subsets (HarfBuzz). */
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
 * font without TrueType outlines (libharu embeds only those). t may be freed afterwards;
 * *out is the caller's, freed with ec_fonts_free.
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

/*
 * A standalone TrueType subset of font holding the glyphs of cps[0..n) (and .notdef), without
 * hinting or layout tables. *out is malloc'd for the caller (free()). EC_ERR_NOMEM, or
 * EC_ERR_UNSUPPORTED when HarfBuzz cannot subset the font.
 */
int ec_font_subset(const struct ec_fonts *f, unsigned font, const uint32_t *cps, size_t n,
    unsigned char **out, size_t *outlen);

#endif
